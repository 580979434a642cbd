using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Flows;

/// <summary>
/// Moves one bot session on (ADR 0029): starts a flow whose trigger matches, reads the customer's new
/// messages as answers, runs nodes until the next question or wait, hands off on a keyword or after three
/// answers that do not fit. Every bot message goes through <see cref="SendMessage.SendAsync"/> with an
/// idempotency key made of the session and its send count, and the new state is written only while the
/// lease holds, so a repeated run (crash, lost lease, another node) repeats no send.
/// </summary>
internal sealed partial class FlowRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    ConversationLedger ledger,
    ContactDirectory contacts,
    ContactKeys contactKeys,
    OutboxSignal outbox,
    BlobStore blobs,
    FlowSignal signal,
    KnowledgeSearch knowledge,
    TimeProvider clock,
    ILogger<FlowRunner> logger)
{
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory = dbFactory;
    private readonly ConversationLedger ledger = ledger;
    private readonly ContactDirectory contacts = contacts;
    private readonly ContactKeys contactKeys = contactKeys;
    private readonly OutboxSignal outbox = outbox;
    private readonly BlobStore blobs = blobs;
    private readonly KnowledgeSearch knowledge = knowledge;
    private readonly TimeProvider clock = clock;
    private readonly ILogger<FlowRunner> logger = logger;

    public async Task RunAsync(FlowSession found, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var s = Copy(found);
        IReadOnlyList<string> path = [];
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == s.TenantId && c.Id == s.ConversationId, ct);
            var contact = conversation is null ? null : await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == s.TenantId && c.Id == conversation.ContactId, ct);
            if (conversation is null || contact?.DataKey is null)
            {
                FlowWalk.End(s, "gone");
            }
            else if (await ContactRestrictions.IsRestrictedAsync(db, s.TenantId, contact.Id, ct))
            {
                // Restricted or objected since the session began: the bot stops here, whatever it was waiting for (ADR 0032).
                FlowWalk.End(s, "restricted");
            }
            else
            {
                var run = new Run(this, s, conversation, contact, await contactKeys.KeyOfAsync(contact, ct), ct);
                await run.ExecuteAsync();
                path = run.Path;
            }
        }

        await WriteAsync(found, s, path, owner, leaseUntil, ct);
    }

    /// <summary>Writes the session's new state while the lease holds; a message that came meanwhile makes it due again.</summary>
    private async Task WriteAsync(FlowSession found, FlowSession s, IReadOnlyList<string> path, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var dueAt = s.State == FlowSessionState.Active ? s.WaitUntil : null;
        var reached = FlowStats.Visit(s, path);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var written = await db.FlowSessions
            .Where(r => r.TenantId == s.TenantId && r.ConversationId == s.ConversationId && r.LeaseOwner == owner && r.DueAt == leaseUntil)
            .ExecuteUpdateAsync(
                u => u.SetProperty(r => r.State, s.State).SetProperty(r => r.FlowId, s.FlowId).SetProperty(r => r.Version, s.Version)
                    .SetProperty(r => r.NodeId, s.NodeId).SetProperty(r => r.InputAfter, s.InputAfter).SetProperty(r => r.WaitUntil, s.WaitUntil)
                    .SetProperty(r => r.InvalidAnswers, s.InvalidAnswers).SetProperty(r => r.Sends, s.Sends).SetProperty(r => r.EndReason, s.EndReason)
                    .SetProperty(r => r.Visited, s.Visited).SetProperty(r => r.DueAt, dueAt).SetProperty(r => r.LeaseOwner, (Guid?)null).SetProperty(r => r.Attempts, 0)
                    .SetProperty(r => r.LastError, (string?)null).SetProperty(r => r.UpdatedAt, now),
                ct);
        if (written == 0)
        {
            // A customer's message (or an agent) changed the session meanwhile: it runs again from its stored state.
            LogRunAgain();
            return;
        }

        if (s.FlowId is { } flowId && s.Version is { } version)
        {
            var ended = found.State != FlowSessionState.Ended && s.State == FlowSessionState.Ended;
            await FlowStats.CountAsync(db, s.TenantId, flowId, version, reached, ended ? s.NodeId : null, ended ? s.EndReason : null, ct);
        }

        await transaction.CommitAsync(ct);

        if (s.State == FlowSessionState.Active && await db.Messages.AnyAsync(
            m => m.TenantId == s.TenantId && m.ConversationId == s.ConversationId && m.Direction == MessageDirection.Inbound && m.CreatedAt > s.InputAfter, ct))
        {
            await db.FlowSessions.Where(r => r.TenantId == s.TenantId && r.ConversationId == s.ConversationId && r.LeaseOwner == null && r.State == FlowSessionState.Active)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.DueAt, now), ct);
            signal.Signal.Notify();
        }
    }

    private static FlowSession Copy(FlowSession s) => new()
    {
        TenantId = s.TenantId,
        ConversationId = s.ConversationId,
        State = s.State,
        FlowId = s.FlowId,
        Version = s.Version,
        NodeId = s.NodeId,
        InputAfter = s.InputAfter,
        WaitUntil = s.WaitUntil,
        InvalidAnswers = s.InvalidAnswers,
        Sends = s.Sends,
        NewConversation = s.NewConversation,
        EndReason = s.EndReason,
        Visited = s.Visited,
        StartedAt = s.StartedAt,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "A bot session changed while it ran; it runs again.")]
    private partial void LogRunAgain();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The bot could not send a message ({Title}); the conversation goes to a person.")]
    private partial void LogSendRefused(string title);
}
