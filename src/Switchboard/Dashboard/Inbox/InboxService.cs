using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Features.Outbound;
using Switchboard.Features.Workspace;

namespace Switchboard.Dashboard.Inbox;

internal sealed record LastMessage(Guid TenantId, Guid Id, string Type, MessageDirection Direction, byte[] Text);

/// <summary>
/// What the dashboard reads and does, in-process: the same use cases as the API (list, messages, send,
/// resolve, assign, read), each on a short-lived DbContext, always for the session's tenant.
/// </summary>
internal sealed class InboxService(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    ContactDirectory contacts,
    ContactReader contactReader,
    ContactKeys contactKeys,
    ConversationLedger ledger,
    OutboxSignal outbox,
    Switchboard.Features.Media.BlobStore blobs,
    TimeProvider clock,
    IConversationScope scope,
    AccessLog access,
    Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider auth)
{
    /// <summary>How many recent conversations a search looks through (names are encrypted, so search runs after decryption).</summary>
    public const int SearchWindow = 500;

    public const int PageSize = 60;

    /// <summary>The newest <paramref name="limit"/> conversations that pass the filter (the list grows by <see cref="PageSize"/> as it is scrolled).</summary>
    public async Task<IReadOnlyList<InboxItem>> ListAsync(Guid tenantId, Guid? userId, InboxFilter filter, int limit, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Conversations.AsNoTracking().Where(c => c.TenantId == tenantId).VisibleTo(await VisibilityAsync(tenantId, ct));
        query = filter.Assignee switch
        {
            AssigneeFilter.Mine => query.Where(c => c.AssignedUserId == userId),
            AssigneeFilter.Unassigned => query.Where(c => c.AssignedUserId == null),
            _ => query,
        };
        if (filter.Status switch { StatusFilter.Open => ConversationStatus.Open, StatusFilter.Pending => ConversationStatus.Pending, StatusFilter.Resolved => ConversationStatus.Resolved, _ => (ConversationStatus?)null } is { } status)
        {
            query = query.Where(c => c.Status == status);
        }

        if (filter.UnreadOnly)
        {
            query = query.Where(c => c.UnreadCount > 0);
        }

        if (filter.Label is { } label)
        {
            query = query.Where(c => db.Set<ConversationLabel>().Any(l => l.TenantId == c.TenantId && l.ConversationId == c.Id
                && db.Set<Label>().Any(d => d.TenantId == l.TenantId && d.Id == l.LabelId && d.Name == label)));
        }

        var search = filter.Search?.Trim();
        var rows = await (
            from c in query
            join k in db.Contacts on new { c.TenantId, Id = c.ContactId } equals new { k.TenantId, k.Id }
            orderby c.LastMessageAt ?? c.CreatedAt descending, c.Id descending
            select new
            {
                Conversation = c,
                Contact = k,
                // Only what the preview needs: the raw content stays in the database. Set<T>(), because an
                // expression tree cannot hold an extension property such as db.Messages.
                Last = db.Set<Message>().Where(m => m.TenantId == c.TenantId && m.ConversationId == c.Id)
                    .OrderByDescending(m => m.Timestamp).ThenByDescending(m => m.Id)
                    .Select(m => new LastMessage(m.TenantId, m.Id, m.Type, m.Direction, m.Text))
                    .FirstOrDefault(),
            })
            .Take(string.IsNullOrEmpty(search) ? limit : Math.Max(limit, SearchWindow))
            .ToListAsync(ct);

        var items = new List<InboxItem>(rows.Count);
        foreach (var row in rows)
        {
            var summary = await contactReader.SummaryAsync(row.Contact, ct);
            if (!string.IsNullOrEmpty(search) && !Matches(summary, search))
            {
                continue;
            }

            items.Add(new InboxItem(
                row.Conversation.Id, row.Conversation.Number, row.Conversation.Status.ToString().ToLowerInvariant(),
                summary.Name, summary.WaId, summary.Erased, row.Conversation.UnreadCount, row.Conversation.LastMessageAt,
                await PreviewAsync(row.Contact, row.Last, ct), row.Last?.Direction == MessageDirection.Outbound,
                row.Conversation.WindowExpiresAt, row.Conversation.AssignedUserId));
            if (items.Count == limit)
            {
                break;
            }
        }

        var labels = await LabelsApi.NamesOfAsync(db, tenantId, [.. items.Select(i => i.Id)], ct);
        return [.. items.Select(i => labels.TryGetValue(i.Id, out var names) ? i with { Labels = names } : i)];
    }

    public async Task<ConversationDetail?> DetailAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        var visible = await VisibilityAsync(tenantId, ct);
        if (row is not { } found || !visible.Allows(found.Conversation))
        {
            return null;
        }

        await access.OpenedAsync(db, tenantId, await ActorAsync(), AuditActions.ConversationOpened, $"conversation:{conversationId}", ct);
        var contact = await contactReader.SummaryAsync(found.Contact, ct);
        var messages = new List<MessageResponse>();
        string? cursor = null;
        do
        {
            if ((await ListMessages.ReadAsync(tenantId, conversationId, db, contactKeys, cursor, 200, ct)).Value is not { } page)
            {
                break;
            }

            messages.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && messages.Count < 2000);

        var history = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.ContactId == found.Contact.Id && c.Id != conversationId)
            .VisibleTo(visible)
            .OrderByDescending(c => c.CreatedAt).Take(20).ToListAsync(ct);
        var channel = await db.Channels.AsNoTracking().Where(c => c.TenantId == tenantId && c.Id == found.Conversation.ChannelId).Select(c => c.DisplayPhoneNumber).FirstOrDefaultAsync(ct);
        var labels = (await LabelsApi.NamesOfAsync(db, tenantId, [conversationId], ct)).GetValueOrDefault(conversationId) ?? [];
        return new ConversationDetail(HeaderOf(found.Conversation, contact) with { Labels = labels }, messages, [.. history.Select(h => HeaderOf(h, contact))], channel);
    }

    /// <summary>The signed-in person as the audit log names them (the dashboard records no address).</summary>
    private async Task<AuditActor> ActorAsync() => AuditActor.From((await auth.GetAuthenticationStateAsync()).User, null);

    /// <summary>Which conversations the signed-in person sees (ADR 0022, amendment: agents limited to their teams').</summary>
    private async Task<ConversationVisibility?> VisibilityAsync(Guid tenantId, CancellationToken ct) =>
        await scope.ForAsync((await auth.GetAuthenticationStateAsync()).User, tenantId, ct);

    public async Task<IReadOnlyList<Member>> MembersAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await (
            from m in db.Memberships.AsNoTracking()
            join u in db.Users.AsNoTracking() on m.UserId equals u.Id
            where m.TenantId == tenantId && m.Status == MembershipStatus.Active
            orderby u.DisplayName
            select new Member(u.Id, u.DisplayName.Length > 0 ? u.DisplayName : u.Email!)).ToListAsync(ct);
    }

    /// <summary>Sends (or, for type <c>note</c>, records) a message; the key makes a double click or a retry harmless.</summary>
    public async Task<string?> SendAsync(Guid tenantId, Guid conversationId, SendRequest request, string idempotencyKey, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcome = await SendMessage.SendAsync(tenantId, conversationId, request, idempotencyKey, db, ledger, contacts, contactKeys, outbox, blobs, clock, ct);
        if (outcome.Value is { } sent)
        {
            await AuditLog.RecordAsync(db, tenantId, await ActorAsync(), AuditActions.MessageSent, $"conversation:{conversationId}",
                new { messageId = sent.Id, type = request.Type }, clock.GetUtcNow(), ct);
        }

        return outcome.Failure?.Message;
    }

    public async Task<string?> ResendAsync(Guid tenantId, Guid conversationId, Guid messageId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await ResendMessage.ResendAsync(tenantId, conversationId, messageId, db, contactKeys, outbox, clock, ct)).Failure?.Message;
    }

    public async Task SetStatusAsync(Guid tenantId, Guid conversationId, ConversationStatus status, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await SetConversationStatus.SetStatusAsync(tenantId, conversationId, status, db, ledger, contactReader, clock, await ActorAsync(), ct);
    }

    /// <summary>Assigns the conversation to a member of the tenant, or to nobody; the refusal's message, or null.</summary>
    public async Task<string?> AssignAsync(Guid tenantId, Guid conversationId, Guid? userId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await AssignConversation.AssignToAsync(tenantId, conversationId, userId, db, ledger, contactReader, clock, await ActorAsync(), ct)).Failure?.Message;
    }

    /// <summary>The tenant's labels, by name.</summary>
    public async Task<IReadOnlyList<LabelView>> LabelsAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. (await LabelDefinitions.ListOfAsync(db, tenantId, ct)).Select(l => new LabelView(l.Name, l.Color))];
    }

    /// <summary>Gives the conversation exactly these labels; the refusal's message, or null.</summary>
    public async Task<string?> SetLabelsAsync(Guid tenantId, Guid conversationId, IReadOnlyList<string> labels, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await SetConversationLabels.SetAsync(db, contactReader, tenantId, conversationId, labels, clock.GetUtcNow(), ct)).Failure?.Message;
    }

    /// <summary>Adds one label to each of the conversations (the list's bulk action); the first refusal's message, or null.</summary>
    public async Task<string?> AddLabelAsync(Guid tenantId, IReadOnlyCollection<Guid> conversationIds, string label, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var current = await LabelsApi.NamesOfAsync(db, tenantId, conversationIds, ct);
        foreach (var id in conversationIds)
        {
            var names = (current.GetValueOrDefault(id) ?? []).Append(label).Distinct(StringComparer.Ordinal).ToList();
            if ((await SetConversationLabels.SetAsync(db, contactReader, tenantId, id, names, clock.GetUtcNow(), ct)).Failure is { } failure)
            {
                return failure.Message;
            }
        }

        return null;
    }

    /// <summary>The canned responses the viewer may insert: the tenant's and their own.</summary>
    public async Task<IReadOnlyList<CannedView>> CannedAsync(Guid tenantId, ClaimsPrincipal viewer, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return [.. (await CannedResponses.ListOfAsync(db, tenantId, viewer, ct)).Select(c => new CannedView(c.Shortcut, c.Text, c.Personal))];
    }

    /// <summary>Shows the customer the typing indicator (with the read mark of their newest message, as WhatsApp requires).</summary>
    public async Task TypingAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await MarkConversationRead.MarkAsync(tenantId, conversationId, new MarkConversationRead.Request(Typing: true), db, contactKeys, outbox, clock, ct);
    }

    public async Task MarkReadAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await MarkConversationRead.MarkAsync(tenantId, conversationId, null, db, contactKeys, outbox, clock, ct);
    }

    /// <summary>
    /// What changed in the tenant after realtime sequence <paramref name="since"/>: the newest sequence and
    /// the conversations concerned, so an open conversation is reloaded only when something in it changed.
    /// <c>Overflow</c> means more happened than was read: reload everything.
    /// </summary>
    public async Task<(long Last, IReadOnlySet<Guid> Conversations, bool Overflow)> ChangesSinceAsync(Guid tenantId, long since, CancellationToken ct)
    {
        const int Limit = 2000;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var events = await db.RealtimeEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Sequence > since)
            .OrderBy(e => e.Sequence)
            .Select(e => new { e.Sequence, e.ConversationId })
            .Take(Limit)
            .ToListAsync(ct);
        if (events.Count == 0)
        {
            return (since, new HashSet<Guid>(), false);
        }

        return (events[^1].Sequence, events.Where(e => e.ConversationId is not null).Select(e => e.ConversationId!.Value).ToHashSet(), events.Count == Limit);
    }

    /// <summary>The tenant's newest realtime sequence (where a freshly opened page starts listening).</summary>
    public async Task<long> LatestSequenceAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.RealtimeEvents.Where(e => e.TenantId == tenantId).MaxAsync(e => (long?)e.Sequence, ct) ?? 0;
    }

    private async Task<string?> PreviewAsync(Contact contact, LastMessage? last, CancellationToken ct)
    {
        if (last is null)
        {
            return null;
        }

        try
        {
            var key = await contactKeys.KeyOfAsync(contact, ct);
            var text = Sealer.OpenString(key, new SealContext(last.TenantId, Message.Table, last.Id, nameof(Message.Text)), last.Text);
            return string.IsNullOrWhiteSpace(text) ? $"[{last.Type}]" : text.Length > 120 ? text[..120] + "…" : text;
        }
        catch (CryptographicException)
        {
            return "[erased]";
        }
    }

    private static ConversationHeader HeaderOf(Conversation c, ContactSummary contact) => new(
        c.Id, c.Number, c.Status.ToString().ToLowerInvariant(), contact.Name, contact.WaId, c.AssignedUserId, c.WindowExpiresAt, c.UnreadCount, c.LastMessageAt, c.TeamId);

    private static bool Matches(ContactSummary contact, string search)
    {
        var digits = new string(search.Where(char.IsDigit).ToArray());
        return (contact.Name?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false)
            || (digits.Length >= 3 && (contact.WaId?.Contains(digits, StringComparison.Ordinal) ?? false));
    }
}
