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
    }
}
