using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Flows;

/// <summary>
/// Which published flow a pending session starts (ADR 0029): a keyword flow the customer's message names, then
/// (new conversations only) an outside-hours or no-agent flow whose condition holds, then a new-conversation
/// flow; among equals the oldest. Flows limited to other numbers are left out.
/// </summary>
internal static class FlowTriggers
{
    public static async Task<(Guid Id, int Version, FlowDocument Doc)?> ChooseAsync(
        SwitchboardDbContext db, FlowSession session, Guid channelId, FlowInput? last, DateTimeOffset now, CancellationToken ct)
    {
        var published = await db.Flows.AsNoTracking().Where(f => f.TenantId == session.TenantId && f.PublishedVersion != null)
            .Join(db.Set<FlowVersion>(), f => new { f.TenantId, f.Id, Version = f.PublishedVersion!.Value }, v => new { v.TenantId, Id = v.FlowId, v.Version }, (f, v) => new { f.Id, f.CreatedAt, v.Version, v.Document })
            .ToListAsync(ct);
        var candidates = published.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id)
            .Select(f => (f.Id, f.Version, Doc: FlowDocument.Parse(f.Document)))
            .Where(f => f.Doc.ChannelIds is not { Count: > 0 } channels || channels.Contains(channelId))
            .ToList();

        (Guid Id, int Version, FlowDocument Doc)? chosen = null;
        foreach (var f in candidates.Where(f => f.Doc.Trigger?.Type == "keyword" && last is not null && last.Says(f.Doc.Trigger.Keywords ?? [])).Take(1))
        {
            chosen = f;
        }

        if (chosen is null && session.NewConversation)
        {
            foreach (var f in candidates)
            {
                var trigger = f.Doc.Trigger!;
                var matches = trigger.Type switch
                {
                    "outside_hours" => trigger.CalendarId is { } calendar && !await RoutingLookups.IsOpenAsync(db, session.TenantId, calendar, now, ct),
                    "no_agent" => !await RoutingLookups.AnyAgentOnlineAsync(db, session.TenantId, trigger.TeamId, ct),
                    _ => false,
                };
                if (matches)
                {
                    chosen = f;
                    break;
                }
            }

            foreach (var f in candidates.Where(f => chosen is null && f.Doc.Trigger?.Type == "new_conversation").Take(1))
            {
                chosen = f;
            }
        }

        return chosen;
    }
}
