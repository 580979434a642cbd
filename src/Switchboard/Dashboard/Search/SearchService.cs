using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Dashboard.Search;

/// <summary>A search result as the page shows it: the snippet cut into plain and highlighted pieces.</summary>
public sealed record SearchResultView(Guid ConversationId, Guid MessageId, string? ContactName, DateTimeOffset Timestamp, string Direction, IReadOnlyList<(string Text, bool Hit)> Pieces);

/// <summary>The message search in-process (the same use case as <c>GET …/search</c>), for the session's tenant.</summary>
internal sealed class SearchService(
    IDbContextFactory<SwitchboardDbContext> dbFactory, MessageSearchIndex index, ContactReader contacts, IConversationScope scope,
    Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider auth)
{
    public async Task<(IReadOnlyList<SearchResultView> Items, string? NextCursor, string? Error)> SearchAsync(Guid tenantId, string query, string? cursor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var visible = await scope.ForAsync((await auth.GetAuthenticationStateAsync()).User, tenantId, ct);
        var outcome = await SearchMessages.SearchAsync(tenantId, query, cursor, 30, db, index, visible, ct);
        if (outcome.Value is not { } results)
        {
            return ([], null, outcome.Failure!.Message);
        }

        var contactIds = results.Items.Select(i => i.ContactId).Distinct().ToList();
        var names = new Dictionary<Guid, string?>();
        foreach (var contact in await db.Contacts.AsNoTracking().Where(c => c.TenantId == tenantId && contactIds.Contains(c.Id)).ToListAsync(ct))
        {
            var summary = await contacts.SummaryAsync(contact, ct);
            names[contact.Id] = summary.Name ?? (summary.WaId is null ? null : "+" + summary.WaId);
        }

        return ([.. results.Items.Select(i => new SearchResultView(
            i.ConversationId, i.MessageId, names.GetValueOrDefault(i.ContactId), i.Timestamp, i.Direction, SearchText.Highlight(i.Snippet, results.Tokens)))], results.NextCursor, null);
    }
}
