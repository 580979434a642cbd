using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Channels;

internal static class GetChannel
{
    public static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid channelId, SwitchboardDbContext db, ChannelView view, HttpRequest http, CancellationToken ct) =>
        await GetAsync(tenantId, channelId, db, ct) switch
        {
            { Value: { } channel } => TypedResults.Ok(await view.ToResponseAsync(channel, http, ct)),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<Channel>> GetAsync(Guid tenantId, Guid channelId, SwitchboardDbContext db, CancellationToken ct) =>
        await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct) is { } channel
            ? channel
            : Failure.NotFound();
}
