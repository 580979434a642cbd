using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Audit;

/// <summary>The Audit feature's tables on the shared context, so <c>db.AuditEntries</c> reads as a DbSet (ADR 0020).</summary>
internal static class AuditTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<AuditEntry> AuditEntries => db.Set<AuditEntry>();
    }
}
