using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Outbound;

/// <summary>The Outbound feature's tables on the shared context, so <c>db.OutboxItems</c> reads as a DbSet (ADR 0020).</summary>
internal static class OutboundTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<OutboxItem> OutboxItems => db.Set<OutboxItem>();

        public DbSet<IdempotencyKey> IdempotencyKeys => db.Set<IdempotencyKey>();

        public DbSet<NumberLease> NumberLeases => db.Set<NumberLease>();
    }
}
