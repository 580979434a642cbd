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
        Guid tenantId, Guid channelId, [AsParameters] ChannelStateServices services, HttpContext http, CancellationToken ct) =>
        await RevokeAsync(tenantId, channelId, services.Db, services.Changes, services.Clock, AuditActor.From(http), ct) switch
        {
            { Value: { } channel } => TypedResults.Ok(await services.View.ToResponseAsync(channel, http.Request, ct)),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>The revoked channel (revoking it again changes nothing), or not found.</summary>
    public static async Task<Outcome<Channel>> RevokeAsync(
        Guid tenantId, Guid channelId, SwitchboardDbContext db, ChannelChanges changes, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct);
        if (channel is null)
        {
            return Failure.NotFound();
        }

        if (!channel.IsRevoked)
        {
            var now = clock.GetUtcNow();
            channel.Status = ChannelStatus.Revoked;
            channel.RevokedAt = now;
            channel.UpdatedAt = now;
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ChannelRevoked, $"channel:{channel.Id}",
                new { phoneNumberId = channel.PhoneNumberId }, now, ct);
        }

        changes.Notify(tenantId);
        return channel;
    }
}
