using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Channels;

/// <summary>The Channels feature's tables on the shared context, so <c>db.Channels</c> reads as a DbSet (ADR 0020).</summary>
internal static class ChannelsTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<Channel> Channels => db.Set<Channel>();
    }
}
