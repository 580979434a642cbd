using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Channels;

/// <summary>
/// Sets a number's sending rate: 80 messages/s by default, up to 1,000 once Meta has upgraded the number
/// (phone_number_quality_update THROUGHPUT_UPGRADE). The sender paces replies just under it.
/// </summary>
internal static class SetChannelThroughput
{
    public sealed record Request([property: Required, Range(1, 1000)] int? MessagesPerSecond);

    public static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid channelId, Request request, SwitchboardDbContext db, ChannelChanges changes, ChannelView view, TimeProvider clock, HttpRequest http, CancellationToken ct)
    {
        var channel = await db.Channels.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct);
        if (channel is null)
        {
            return Problems.NotFound();
        }

        channel.MessagesPerSecond = request.MessagesPerSecond!.Value;
        channel.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        changes.Notify(tenantId);
        return TypedResults.Ok(await view.ToResponseAsync(channel, http, ct));
    }
}
