using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Channels;

/// <summary>
/// Sets a number's sending rate: 80 messages/s by default, up to 1,000 once Meta has upgraded the number
/// (phone_number_quality_update THROUGHPUT_UPGRADE). The sender paces replies just under it.
/// </summary>
internal static class SetChannelThroughput
{
    public sealed record Request([property: Required, Range(1, 1000)] int? MessagesPerSecond);

    public static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid channelId, Request request, [AsParameters] ChannelStateServices services, HttpContext http, CancellationToken ct) =>
        await SetAsync(tenantId, channelId, request, services.Db, services.Changes, services.Clock, AuditActor.From(http), ct) switch
        {
            { Value: { } channel } => TypedResults.Ok(await services.View.ToResponseAsync(channel, http.Request, ct)),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<Channel>> SetAsync(
        Guid tenantId, Guid channelId, Request request, SwitchboardDbContext db, ChannelChanges changes, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct);
        if (channel is null)
        {
            return Failure.NotFound();
        }

        var from = channel.MessagesPerSecond;
        var to = request.MessagesPerSecond!.Value;
        if (from != to)
        {
            var now = clock.GetUtcNow();
            channel.MessagesPerSecond = to;
            channel.UpdatedAt = now;
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ChannelThroughputChanged, $"channel:{channel.Id}",
                new { from, to }, now, ct);
        }

        changes.Notify(tenantId);
        return channel;
    }
}
