using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Outbound;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Flows;

/// <summary>The live run's effects: sends through the outbox, transfers through the ledger, contact attributes and labels written.</summary>
internal sealed partial class FlowRunner
{
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
                LastText = inputs.LastOrDefault() is { ReplyId: null, Text: { Length: > 0 } typed } ? typed : null;
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
            var chosen = await FlowTriggers.ChooseAsync(db, Session, conversation.ChannelId, last, Now, ct);
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
                    // As stored now: a set_attribute or a question earlier in this run has changed it since the run began.
                    var current = await db.Contacts.AsNoTracking().FirstAsync(c => c.TenantId == Session.TenantId && c.Id == contact.Id, ct);
                    var profile = await r.contacts.ReadAsync(current, ct);
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

        /// <summary>Searches with the text this run read, or else the customer's latest text message (a flow resumed by a wait).</summary>
        protected override async Task<(KnowledgeHit Hit, double Match)?> SearchKnowledgeAsync(string? question)
        {
            await using var db = await r.dbFactory.CreateDbContextAsync(ct);
            if (question is null)
            {
                var latest = await db.Messages.AsNoTracking()
                    .Where(m => m.TenantId == Session.TenantId && m.ConversationId == Session.ConversationId && m.Direction == MessageDirection.Inbound && m.Type == "text")
                    .OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstOrDefaultAsync(ct);
                question = latest is null ? null : FlowInput.Parse(latest.Id, latest.CreatedAt, latest.Type, Sealer.OpenString(key, latest.SealContext(nameof(Message.Content)), latest.Content)).Text;
            }

            return string.IsNullOrWhiteSpace(question) ? null : await r.knowledge.BestAnswerAsync(db, Session.TenantId, question, ct);
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
