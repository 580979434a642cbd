using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Routing;

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
    TimeProvider clock,
    ILogger<FlowRunner> logger)
{
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory = dbFactory;
    private readonly ConversationLedger ledger = ledger;
    private readonly ContactDirectory contacts = contacts;
    private readonly ContactKeys contactKeys = contactKeys;
    private readonly OutboxSignal outbox = outbox;
    private readonly BlobStore blobs = blobs;
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

    /// <summary>One run over one session, with the conversation and contact as they were when it began.</summary>
    private sealed class Run(FlowRunner r, FlowSession s, Conversation conversation, Contact contact, DataKey key, CancellationToken ct)
        : FlowWalk(s, r.clock.GetUtcNow())
    {
        public async Task ExecuteAsync()
        {
            var inputs = await InputsAsync();
            if (inputs.Count > 0)
            {
                Session.InputAfter = inputs[^1].CreatedAt;
            }

            if (Session.State == FlowSessionState.Pending)
            {
                await StartAsync(inputs.LastOrDefault());
                return;
            }

            if (Session.State != FlowSessionState.Active)
            {
                return;
            }

            if (await DocumentAsync(Session.FlowId!.Value, Session.Version!.Value) is not { } document)
            {
                End(Session, "flow_gone");
                return;
            }

            Doc = document;
            foreach (var input in inputs)
            {
                if (Session.State != FlowSessionState.Active)
                {
                    break;
                }

                await AnswerAsync(input);
            }

            if (Session.State == FlowSessionState.Active && inputs.Count == 0 && Session.WaitUntil <= Now)
            {
                await TimeoutAsync();
            }
        }

        private async Task StartAsync(FlowInput? last)
        {
            if (conversation.AssignedUserId is not null || conversation.Status != ConversationStatus.Open || !(conversation.WindowExpiresAt > Now))
            {
                End(Session, "not_started");
                return;
            }

            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var published = await db.Flows.AsNoTracking().Where(f => f.TenantId == Session.TenantId && f.PublishedVersion != null)
                .Join(db.Set<FlowVersion>(), f => new { f.TenantId, f.Id, Version = f.PublishedVersion!.Value }, v => new { v.TenantId, Id = v.FlowId, v.Version }, (f, v) => new { f.Id, f.CreatedAt, v.Version, v.Document })
                .ToListAsync(ct);
            var candidates = published.OrderBy(f => f.CreatedAt).ThenBy(f => f.Id)
                .Select(f => (f.Id, f.Version, Doc: FlowDocument.Parse(f.Document)))
                .Where(f => f.Doc.ChannelIds is not { Count: > 0 } channels || channels.Contains(conversation.ChannelId))
                .ToList();

            (Guid Id, int Version, FlowDocument Doc)? chosen = null;
            foreach (var f in candidates.Where(f => f.Doc.Trigger?.Type == "keyword" && last is not null && last.Says(f.Doc.Trigger.Keywords ?? [])).Take(1))
            {
                chosen = f;
            }

            if (chosen is null && Session.NewConversation)
            {
                foreach (var f in candidates)
                {
                    var trigger = f.Doc.Trigger!;
                    var matches = trigger.Type switch
                    {
                        "outside_hours" => trigger.CalendarId is { } calendar && !await RoutingLookups.IsOpenAsync(db, Session.TenantId, calendar, Now, ct),
                        "no_agent" => !await RoutingLookups.AnyAgentOnlineAsync(db, Session.TenantId, trigger.TeamId, ct),
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

            if (chosen is not { } flow)
            {
                End(Session, "no_trigger");
                return;
            }

            Session.State = FlowSessionState.Active;
            Session.FlowId = flow.Id;
            Session.Version = flow.Version;
            Doc = flow.Doc;
            await RunFromAsync(Doc.StartNode);
        }

        /// <summary>To a person: the number's default team when the conversation has none yet, with the transcript as a note when asked.</summary>
        protected override async Task HandOverAsync(bool transcript)
        {
            if (transcript)
            {
                await SendAsync(new SendRequest("note", await TranscriptAsync(), null, null, null, null, null, null, null, null), stopOnRefusal: false);
            }

            if (conversation.TeamId is null)
            {
                await using var db = await r.dbFactory.CreateDbContextAsync(ct);
                if (await RoutingLookups.DefaultTeamAsync(db, Session.TenantId, conversation.ChannelId, ct) is { } team)
                {
                    await TransferAsync(team);
                }
            }
        }

        /// <summary>Sends as the bot; false (and the session ends) when the send is refused, for example outside the 24-hour window.</summary>
        protected override async Task<bool> SendAsync(SendRequest request, bool stopOnRefusal = true)
        {
            var idempotencyKey = $"flow:{Session.ConversationId:N}:{Session.StartedAt.UtcTicks}:{Session.Sends++}";
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var outcome = await SendMessage.SendAsync(Session.TenantId, Session.ConversationId, request, idempotencyKey, db, r.ledger, r.contacts, r.contactKeys, r.outbox, r.blobs, r.clock, ct, MessageAuthor.Bot);
            if (outcome.Failure is not { } failure)
            {
                return true;
            }

            if (stopOnRefusal)
            {
                // Outside the window the bot stays silent; anything else is the flow's fault and a person takes over.
                if (failure.ProblemType != Problems.WindowClosedType)
                {
                    r.LogSendRefused(failure.Title);
                }

                End(Session, failure.ProblemType == Problems.WindowClosedType ? "window_closed" : "send_refused");
            }

            return false;
        }

        protected override async Task TransferAsync(Guid teamId)
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var tracked = await db.Conversations.FirstAsync(c => c.TenantId == Session.TenantId && c.Id == Session.ConversationId, ct);
            if (tracked.TeamId == teamId && tracked.WaitingSince is not null)
            {
                return;
            }

            await r.ledger.TransferAsync(db, tracked, null, teamId, null, [], r.clock.GetUtcNow(), ct);
            conversation.TeamId = teamId;
        }

        protected override async Task<bool> SetAttributeAsync(string attribute, string? value)
        {
            foreach (var element in Candidates(value))
            {
                await using var db = await r.dbFactory.CreateDbContextAsync(ct);
                var outcome = await UpdateContact.UpdateAsync(Session.TenantId, contact.Id, new UpdateContact.Request(null, new() { [attribute] = element }), db, r.contacts, r.clock, null, ct);
                if (outcome.Failure is null)
                {
                    return true;
                }
            }

            return false;

            static IEnumerable<JsonElement> Candidates(string? value)
            {
                yield return JsonSerializer.SerializeToElement(value);
                if (decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var number))
                {
                    yield return JsonSerializer.SerializeToElement(number);
                }
            }
        }

        protected override async Task AddLabelAsync(string name)
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var label = await db.Labels.AsNoTracking().FirstOrDefaultAsync(l => l.TenantId == Session.TenantId && l.Name == name, ct);
            if (label is null)
            {
                return;
            }

            var current = await db.ConversationLabels.AsNoTracking().Where(l => l.TenantId == Session.TenantId && l.ConversationId == Session.ConversationId).Select(l => l.LabelId).ToListAsync(ct);
            var tracked = await db.Conversations.FirstAsync(c => c.TenantId == Session.TenantId && c.Id == Session.ConversationId, ct);
            await ConversationLedger.SetLabelsAsync(db, tracked, [.. current, label.Id], r.clock.GetUtcNow(), ct);
        }

        protected override async Task<bool> HoldsAsync(FlowCondition condition)
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            switch (condition.Kind)
            {
                case "attribute":
                    var profile = await r.contacts.ReadAsync(contact, ct);
                    var values = profile.AttributesJson is { Length: > 0 } stored ? JsonNode.Parse(stored) as JsonObject : null;
                    var value = values?[condition.Attribute!]?.ToString();
                    return condition.Value is null ? value is not null : string.Equals(value, condition.Value, StringComparison.OrdinalIgnoreCase);
                case "label":
                    var names = await LabelsApi.NamesOfAsync(db, Session.TenantId, [Session.ConversationId], ct);
                    return names.TryGetValue(Session.ConversationId, out var labels) && labels.Contains(condition.Label!, StringComparer.Ordinal);
                case "business_hours":
                    return await RoutingLookups.IsOpenAsync(db, Session.TenantId, condition.CalendarId!.Value, Now, ct);
                case "time_of_day":
                    return FlowClock.Within(Now, condition.From!, condition.To!, condition.TimeZone);
                case "channel":
                    return conversation.ChannelId == condition.ChannelId;
                default:
                    return false;
            }
        }

        private async Task<List<FlowInput>> InputsAsync()
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var rows = await db.Messages.AsNoTracking()
                .Where(m => m.TenantId == Session.TenantId && m.ConversationId == Session.ConversationId && m.Direction == MessageDirection.Inbound && m.CreatedAt > Session.InputAfter)
                .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Take(20).ToListAsync(ct);
            return [.. rows.Select(m => FlowInput.Parse(m.Id, m.CreatedAt, m.Type, Sealer.OpenString(key, m.SealContext(nameof(Message.Content)), m.Content)))];
        }

        private async Task<string> TranscriptAsync()
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var since = Session.StartedAt.AddMinutes(-1);
            var rows = await db.Messages.AsNoTracking()
                .Where(m => m.TenantId == Session.TenantId && m.ConversationId == Session.ConversationId && m.Direction != MessageDirection.Note && m.CreatedAt >= since)
                .OrderBy(m => m.CreatedAt).ThenBy(m => m.Id).Take(60).ToListAsync(ct);
            var text = new StringBuilder("The bot handed this conversation over after answers it could not use. Transcript:");
            foreach (var m in rows)
            {
                var who = m.Direction == MessageDirection.Inbound ? "Customer" : m.Author == MessageAuthor.Bot ? "Bot" : "Agent";
                var said = Sealer.OpenString(key, m.SealContext(nameof(Message.Text)), m.Text).ReplaceLineEndings(" ");
                text.Append('\n').Append(who).Append(": ").Append(said.Length > 300 ? said[..300] + "…" : said);
            }

            return text.Length > SendValidation.MaxTextLength ? text.ToString(0, SendValidation.MaxTextLength) : text.ToString();
        }

        private async Task<FlowDocument?> DocumentAsync(Guid flowId, int version)
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            var stored = await db.FlowVersions.AsNoTracking().Where(v => v.TenantId == Session.TenantId && v.FlowId == flowId && v.Version == version).Select(v => v.Document).FirstOrDefaultAsync(ct);
            return stored is null ? null : FlowDocument.Parse(stored);
        }
    }
}
