using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Channels;

/// <summary>Switches a channel off for good: it stops sending and its webhooks are refused.</summary>
internal static class RevokeChannel
{
    public static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid channelId, SwitchboardDbContext db, ChannelChanges changes, ChannelView view, TimeProvider clock, HttpRequest http, CancellationToken ct)
    {
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct);
        if (channel is null)
        {
            return Problems.NotFound();
        }

        if (!channel.IsRevoked)
        {
            var now = clock.GetUtcNow();
            channel.Status = ChannelStatus.Revoked;
            channel.RevokedAt = now;
            channel.UpdatedAt = now;
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http.HttpContext), AuditActions.ChannelRevoked, $"channel:{channel.Id}",
                new { phoneNumberId = channel.PhoneNumberId }, now, ct);
        }

        changes.Notify(tenantId);
        return TypedResults.Ok(await view.ToResponseAsync(channel, http, ct));
    }
}
