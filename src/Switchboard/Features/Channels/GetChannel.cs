using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Channels;

internal static class GetChannel
{
    public static async Task<Results<Ok<ChannelResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid channelId, SwitchboardDbContext db, ChannelView view, HttpRequest http, CancellationToken ct)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct);
        return channel is null ? Problems.NotFound() : TypedResults.Ok(await view.ToResponseAsync(channel, http, ct));
    }
}
