using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Privacy;

/// <summary>The Privacy feature's tables on the shared context (ADR 0020).</summary>
internal static class PrivacyTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<Export> Exports => db.Set<Export>();

        public DbSet<ExportSigningKey> ExportSigningKeys => db.Set<ExportSigningKey>();

        public DbSet<TenantDeletion> TenantDeletions => db.Set<TenantDeletion>();

        public DbSet<RetentionPolicy> RetentionPolicies => db.Set<RetentionPolicy>();

        public DbSet<RetentionRun> RetentionRuns => db.Set<RetentionRun>();

        public DbSet<LegalHold> LegalHolds => db.Set<LegalHold>();

        public DbSet<ContactPrivacy> ContactPrivacy => db.Set<ContactPrivacy>();

        public DbSet<DataRightsRequest> DataRightsRequests => db.Set<DataRightsRequest>();

        public DbSet<RotationReminder> RotationReminders => db.Set<RotationReminder>();
    }
}
