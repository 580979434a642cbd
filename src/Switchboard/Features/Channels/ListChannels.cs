using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Channels;

internal static class ListChannels
{
    public sealed record Response(IReadOnlyList<ChannelResponse> Items);

    public static async Task<Response> HandleAsync(Guid tenantId, SwitchboardDbContext db, ChannelView view, HttpRequest http, CancellationToken ct)
    {
        var channels = await db.Channels.AsNoTracking().Where(c => c.TenantId == tenantId).OrderBy(c => c.Id).ToListAsync(ct);
        var items = new List<ChannelResponse>(channels.Count);
        foreach (var channel in channels)
        {
            items.Add(await view.ToResponseAsync(channel, http, ct));
        }

        return new Response(items);
    }
}
