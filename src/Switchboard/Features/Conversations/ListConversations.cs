using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>The inbox: a tenant's conversations, most recent activity first, filtered by status, number and unread, with keyset paging.</summary>
internal static class ListConversations
{
    public static async Task<Results<Ok<Page<ConversationResponse>>, ValidationProblem>> HandleAsync(
        Guid tenantId, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, string? status, Guid? channelId, bool? unread, string? assignee, string? label, string? cursor, int? limit, HttpContext http, IConversationScope scope, CancellationToken ct)
    {
        Guid? assignedTo = null;
        var onlyUnassigned = false;
        switch (assignee)
        {
            case null or "" or "all":
                break;
            case "unassigned":
                onlyUnassigned = true;
                break;
            case "me" when http.User.UserIdOf() is { } me:
                assignedTo = me;
                break;
            default:
                if (!Guid.TryParse(assignee, out var user))
                {
                    return Problems.Validation("assignee", "One of all, unassigned, me (signed-in users and personal tokens) or a user id.");
                }

                assignedTo = user;
                break;
        }

        var take = Paging.Limit(limit);
        var query = db.Conversations.Where(c => c.TenantId == tenantId).VisibleTo(await scope.ForAsync(http.User, tenantId, ct));
        if (status is not null)
        {
            if (!Enum.TryParse<ConversationStatus>(status, ignoreCase: true, out var wanted) || int.TryParse(status, out _))
            {
                return Problems.Validation("status", "One of open, pending, resolved.");
            }

            query = query.Where(c => c.Status == wanted);
        }

        if (channelId is { } channel)
        {
            query = query.Where(c => c.ChannelId == channel);
        }

        if (onlyUnassigned)
        {
            query = query.Where(c => c.AssignedUserId == null);
        }
        else if (assignedTo is { } assigned)
        {
            query = query.Where(c => c.AssignedUserId == assigned);
        }

        if (unread is { } onlyUnread)
        {
            query = onlyUnread ? query.Where(c => c.UnreadCount > 0) : query.Where(c => c.UnreadCount == 0);
        }

        if (label is not null)
        {
            // An unknown name matches nothing (ADR 0024).
            var labelId = await db.Labels.Where(l => l.TenantId == tenantId && l.Name == label).Select(l => (Guid?)l.Id).FirstOrDefaultAsync(ct) ?? Guid.Empty;
            query = query.Where(c => db.Set<ConversationLabel>().Any(l => l.TenantId == c.TenantId && l.ConversationId == c.Id && l.LabelId == labelId));
        }

        (DateTimeOffset At, Guid Id)? after = null;
        if (cursor is not null)
        {
            if (DecodeCursor(cursor) is not { } decoded)
            {
                return Problems.Validation("cursor", "Not a cursor returned by this endpoint.");
            }

            after = decoded;
        }

        var page = await Page(db, query, after, take + 1).ToListAsync(ct);
        var hasMore = page.Count > take;
        var rows = new List<(Conversation, ConversationResponse)>(Math.Min(page.Count, take));
        foreach (var row in page.Take(take))
        {
            rows.Add((row.Conversation, ContactReader.ToResponse(row.Conversation, await contacts.SummaryAsync(row.Contact, ct))));
        }

        var items = await ConversationQueue.DescribeAsync(db, tenantId, rows, clock.GetUtcNow(), ct);
        var labels = await LabelsApi.NamesOfAsync(db, tenantId, [.. items.Select(i => i.Id)], ct);
        items = [.. items.Select(i => labels.TryGetValue(i.Id, out var names) ? i with { Labels = names } : i)];

        var last = page.Take(take).LastOrDefault()?.Conversation;
        var next = hasMore && last is not null ? Paging.Encode($"{(last.LastMessageAt ?? last.CreatedAt).UtcTicks}|{last.Id}") : null;
        return TypedResults.Ok(new Page<ConversationResponse>(items, next));
    }

    /// <summary>
    /// One page of conversations (already filtered) with their contacts, latest activity first, after the
    /// cursor's position. It reads in the order of the activity index (schema version 8), which the
    /// cursor's first condition lets it seek into, so a page costs the same however many conversations the
    /// tenant has (apart from conversations tied on the cursor's activity time, which it reads past).
    /// </summary>
    internal static IQueryable<ConversationRow> Page(SwitchboardDbContext db, IQueryable<Conversation> query, (DateTimeOffset At, Guid Id)? after, int take)
    {
        if (after is { } position)
        {
            // The first condition is implied by the second; it is there so that the index can seek to the cursor.
            query = query.Where(c => (c.LastMessageAt ?? c.CreatedAt) <= position.At
                && ((c.LastMessageAt ?? c.CreatedAt) < position.At || ((c.LastMessageAt ?? c.CreatedAt) == position.At && c.Id.CompareTo(position.Id) < 0)));
        }

        return (
            from c in query
            join k in db.Contacts on new { c.TenantId, Id = c.ContactId } equals new { k.TenantId, k.Id }
            orderby c.LastMessageAt ?? c.CreatedAt descending, c.Id descending
            select new ConversationRow(c, k))
            .Take(take);
    }

    private static (DateTimeOffset At, Guid Id)? DecodeCursor(string cursor)
    {
        var parts = Paging.Decode(cursor)?.Split('|');
        return parts is [var ticks, var id]
            && long.TryParse(ticks, NumberStyles.Integer, CultureInfo.InvariantCulture, out var t)
            && Guid.TryParse(id, out var g)
            ? (new DateTimeOffset(t, TimeSpan.Zero), g)
            : null;
    }
}

/// <summary>A conversation with its contact, as a page of the inbox reads them.</summary>
internal sealed record ConversationRow(Conversation Conversation, Contact Contact);
