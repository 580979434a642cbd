using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Webhooks;

/// <summary>The Webhooks feature's tables on the shared context, so <c>db.ChannelEvents</c> reads as a DbSet (ADR 0020).</summary>
internal static class WebhooksTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<ChannelEvent> ChannelEvents => db.Set<ChannelEvent>();

        public DbSet<WebhookEvent> WebhookEvents => db.Set<WebhookEvent>();
    }
}
