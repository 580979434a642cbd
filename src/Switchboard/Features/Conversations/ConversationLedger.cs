using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>A reply or note an agent (or bot, or API client) wrote, as the ledger stores it.</summary>
internal sealed record OutboundDraft(
    bool IsNote, string Type, string Content, string Text, string? ContextWamid, Guid? ReplyToMessageId, MessageAuthor Author = MessageAuthor.Agent, Guid? AuthorUserId = null);

/// <summary>What a finished send means for its message: the wamid Meta gave it, or the state it ends in.</summary>
internal readonly record struct SendOutcome(Guid TenantId, Guid MessageId, string? Wamid, DeliveryState? State, int? ErrorCode, string? ErrorTitle);

/// <summary>
/// The one writer of contacts, conversations, messages, reactions and delivery statuses, and of their
/// realtime events (ADR 0019). Webhooks hands it parsed batches, Outbound its replies and send outcomes;
/// both add their own rows (outbox, idempotency key) to the same unit of work, so they commit together.
/// Every status change goes through <see cref="DeliveryStates.CanMove"/>.
/// </summary>
internal sealed partial class ConversationLedger
{
    /// <summary>A new reply or note, not stored yet: the caller builds its outbox row with its id, then calls <see cref="RecordOutboundAsync"/>.</summary>
    public static Message NewOutbound(Conversation conversation, DataKey key, OutboundDraft draft, DateTimeOffset now)
    {
        var message = new Message
        {
            TenantId = conversation.TenantId,
            Id = Guid.CreateVersion7(now),
            ConversationId = conversation.Id,
            ChannelId = conversation.ChannelId,
            ContactId = conversation.ContactId,
            Direction = draft.IsNote ? MessageDirection.Note : MessageDirection.Outbound,
            Type = draft.Type,
            Timestamp = now,
            Status = draft.IsNote ? DeliveryState.Received : DeliveryState.Queued,
            StatusAt = now,
            ContextWamid = draft.ContextWamid,
            ReplyToMessageId = draft.ContextWamid is null ? null : draft.ReplyToMessageId,
            Author = draft.Author,
            AuthorUserId = draft.AuthorUserId,
            CreatedAt = now,
        };
        message.Content = Sealer.Seal(key, message.SealContext(nameof(Message.Content)), draft.Content);
        message.Text = Sealer.Seal(key, message.SealContext(nameof(Message.Text)), draft.Text);
        return message;
    }

    /// <summary>
    /// Stores the message with <paramref name="with"/> (its outbox row, its idempotency key) in one
    /// transaction, with its realtime event; a reply (not a note) is a <see cref="ConversationCause.Replied"/>
    /// change for the steps, or <see cref="ConversationCause.AutoReplied"/> when a bot or automation wrote it (ADR 0029).
    /// A <see cref="DbUpdateException"/> rolls all of it back.
    /// </summary>
    public async Task RecordOutboundAsync(
        SwitchboardDbContext db, Conversation conversation, Message message, IEnumerable<object> with, DateTimeOffset now, CancellationToken ct)
    {
        db.Messages.Add(message);
        db.AddRange(with);
        var cause = message.Author is MessageAuthor.Bot or MessageAuthor.Automation ? ConversationCause.AutoReplied : ConversationCause.Replied;
        ConversationChange[] changes = message.Direction == MessageDirection.Note ? [] : [new(conversation, cause, now)];
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await PlanAsync(db, Steps, changes, ct);
        await SaveWithEventAsync(db, message.TenantId, RealtimeEventTypes.MessageQueued, message.ConversationId, message.Id, message.Type, now, ct);
        db.AfterCommit.Add(() => NotifyCommitted(Steps, changes));
        await transaction.CommitAsync(ct);
    }

    /// <summary>Resolves, sets pending or reopens the conversation in one transaction with its event and the steps' part.</summary>
    public async Task SetStatusAsync(SwitchboardDbContext db, Conversation conversation, ConversationStatus status, DateTimeOffset now, CancellationToken ct)
    {
        var cause = status switch
        {
            ConversationStatus.Resolved => ConversationCause.Resolved,
            ConversationStatus.Pending => ConversationCause.Pending,
            _ => ConversationCause.Reopened,
        };
        ConversationChange[] changes = [new(conversation, cause, now)];
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        conversation.Status = status;
        conversation.UpdatedAt = now;
        if (status != ConversationStatus.Open)
        {
            // Out of the queue: nobody is to take a resolved or pending conversation.
            conversation.WaitingSince = null;
        }

        await PlanAsync(db, Steps, changes, ct);
        await SaveWithEventAsync(db, conversation.TenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, status.ToString().ToLowerInvariant(), now, ct);
        db.AfterCommit.Add(() => NotifyCommitted(Steps, changes));
        await transaction.CommitAsync(ct);
    }

    /// <summary>Assigns the conversation by hand (null: unassigned) in one transaction with its event and the steps' part.</summary>
    public async Task AssignAsync(SwitchboardDbContext db, Conversation conversation, Guid? assigneeId, DateTimeOffset now, CancellationToken ct)
    {
        ConversationChange[] changes = [new(conversation, ConversationCause.Reassigned, now)];
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        conversation.AssignedUserId = assigneeId;
        conversation.AssignedAt = assigneeId is null ? null : now;
        // Taken by hand: out of the queue; given back: into its team's queue again, when it has one.
        conversation.WaitingSince = assigneeId is null && conversation.TeamId is not null && conversation.Status == ConversationStatus.Open ? now : null;
        conversation.UpdatedAt = now;
        await PlanAsync(db, Steps, changes, ct);
        await SaveWithEventAsync(db, conversation.TenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, "assigned", now, ct);
        db.AfterCommit.Add(() => NotifyCommitted(Steps, changes));
        await transaction.CommitAsync(ct);
    }

    /// <summary>In the writer's transaction, before its save: every step plans the changes (none when there are none).</summary>
    private static async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<IConversationStep> steps, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        if (changes.Count == 0)
        {
            return;
        }

        foreach (var step in steps)
        {
            await step.PlanAsync(db, changes, ct);
        }
    }

    /// <summary>After the commit: every step sees the changes.</summary>
    private static void NotifyCommitted(IReadOnlyList<IConversationStep> steps, IReadOnlyList<ConversationChange> changes)
    {
        if (changes.Count == 0)
        {
            return;
        }

        foreach (var step in steps)
        {
            step.Committed(changes);
        }
    }

    /// <summary>
    /// An agent sends an unknown or failed reply again (ADR 0007): the message is queued again together
    /// with its new outbox row. False, storing nothing, when the message is in no state to be resent.
    /// </summary>
    public static async Task<bool> RequeueAsync(SwitchboardDbContext db, Message message, object outboxRow, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!DeliveryStatuses.Apply(message, DeliveryState.Queued, now, null, null))
        {
            return false;
        }

        db.Add(outboxRow);
        await SaveWithEventAsync(db, message.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The agent has read the conversation: unread goes to zero, with <paramref name="with"/> (a read receipt to send) in the same transaction.</summary>
    public static async Task MarkReadAsync(SwitchboardDbContext db, Conversation conversation, IEnumerable<object> with, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        conversation.UnreadCount = 0;
        conversation.UpdatedAt = now;
        db.AddRange(with);
        await SaveWithEventAsync(db, conversation.TenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, "read", now, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Inside the caller's transaction: saves the unit of work, then appends its one realtime event (which takes the tenant's counter last).</summary>
    private static async Task SaveWithEventAsync(
        SwitchboardDbContext db, Guid tenantId, string type, Guid conversationId, Guid? messageId, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        await RealtimeLog.AppendAsync(db, tenantId, type, conversationId, messageId, detail, now, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// In the caller's transaction: records what the sends did to their messages (wamids; failed or
    /// unknown through the forward-only rule), applies statuses that arrived before the wamid was known,
    /// and appends a realtime event per message; then writes the collected realtime events.
    /// </summary>
    public static async Task ApplySendOutcomesAsync(SwitchboardDbContext db, IReadOnlyList<SendOutcome> outcomes, DateTimeOffset now, CancellationToken ct)
    {
        if (outcomes.Count > 0)
        {
            var tenants = outcomes.Select(o => o.TenantId).Distinct().ToList();
            var ids = outcomes.Select(o => o.MessageId).ToList();
            var messages = await db.Messages.Where(m => EF.Parameter(tenants).Contains(m.TenantId) && EF.Parameter(ids).Contains(m.Id)).ToDictionaryAsync(m => (m.TenantId, m.Id), ct);
            var withWamid = new List<Message>();
            foreach (var outcome in outcomes)
            {
                if (!messages.TryGetValue((outcome.TenantId, outcome.MessageId), out var message))
                {
                    continue;
                }

                if (outcome.Wamid is not null)
                {
                    message.Wamid = outcome.Wamid;
                    withWamid.Add(message);
                }

                if (outcome.State is { } state)
                {
                    DeliveryStatuses.Apply(message, state, now, outcome.ErrorCode, outcome.ErrorTitle);
                }
            }

            await DeliveryStatuses.ReconcileAsync(db, withWamid, ct);
            foreach (var message in messages.Values)
            {
                RealtimeLog.Append(db, message.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), now);
            }

            await db.SaveChangesAsync(ct);
        }

        await RealtimeLog.FlushAsync(db, ct);
    }

    /// <summary>
    /// After a commit: applies statuses already recorded for these sent wamids (the processor's unmatched
    /// statuses, the sender's new wamids), in a transaction of its own (ADR 0014).
    /// </summary>
    public static Task ApplyRecordedStatusesAsync(
        SwitchboardDbContext db, SqliteWriteGate gate, IReadOnlyCollection<(Guid TenantId, Guid ChannelId, string Wamid)> sent, DateTimeOffset now, CancellationToken ct) =>
        DeliveryStatuses.ApplyRecordedAsync(db, gate, sent, now, ct);

    /// <summary>In the caller's transaction: replies to these customers got through, so Meta's pair-limit backoff starts over.</summary>
    public static Task ResetSendBackoffAsync(SwitchboardDbContext db, List<Guid> tenants, List<Guid> contacts, CancellationToken ct) =>
        db.Contacts.Where(c => EF.Parameter(tenants).Contains(c.TenantId) && EF.Parameter(contacts).Contains(c.Id) && c.SendBackoffLevel > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SendBackoffLevel, 0).SetProperty(c => c.SendBackoffUntil, (DateTimeOffset?)null), ct);

    /// <summary>In the caller's transaction: Meta's pair limit hit this customer; the next reply waits until <paramref name="until"/>.</summary>
    public static Task BackOffSendsAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, DateTimeOffset until, CancellationToken ct) =>
        db.Contacts.Where(c => c.TenantId == tenantId && c.Id == contactId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SendBackoffLevel, c => c.SendBackoffLevel + 1).SetProperty(c => c.SendBackoffUntil, until), ct);
}
