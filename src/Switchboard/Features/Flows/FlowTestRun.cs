using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Outbound;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Flows;

/// <summary>
/// The test console (ADR 0041): walks a flow's draft (or a published version) with the same <see cref="FlowWalk"/>
/// as the live bot, over a sandbox session that lives only in memory. Sends, transfers, attributes and labels
/// are recorded instead of written, so a test leaves no conversation, message, report or search row behind.
/// </summary>
internal static class FlowTestRun
{
    /// <summary>A customer's message in a test: text, a tapped button or row id (with its title), a file, or the wait/answer timeout running out.</summary>
    public sealed record TestInput(string? Text, string? ReplyId, bool? Media, bool? Timeout);

    public sealed record TestRequest(int? Version, Guid? ChannelId, IReadOnlyList<TestInput>? Inputs, Dictionary<string, string>? Attributes, IReadOnlyList<string>? Labels);

    /// <summary>What the bot did: a WhatsApp message (<c>text</c>, <c>buttons</c>, <c>list</c>, media types), or <c>routed</c> / <c>handoff</c>.</summary>
    public sealed record TestEvent(int AfterInput, string NodeId, string Kind, SendRequest? Message, Guid? TeamId);

    public sealed record TestResponse(
        int? Version, IReadOnlyList<TestEvent> Messages, IReadOnlyList<string> Path, string State, string? EndReason, string? NodeId,
        int InputsUsed, IReadOnlyDictionary<string, string?> Attributes, IReadOnlyList<string> Labels);

    public const int MaxInputs = 50;

    public static async Task<Results<Ok<TestResponse>, ValidationProblem, ProblemHttpResult>> TestAsync(
        Guid tenantId, Guid flowId, TestRequest request, SwitchboardDbContext db, KnowledgeSearch knowledge, TimeProvider clock, CancellationToken ct) =>
        await RunAsync(tenantId, flowId, request, db, knowledge, clock, ct) switch
        {
            { Value: { } result } => TypedResults.Ok(result),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>Tests the flow's draft, or <see cref="TestRequest.Version"/> when given.</summary>
    public static async Task<Outcome<TestResponse>> RunAsync(Guid tenantId, Guid flowId, TestRequest request, SwitchboardDbContext db, KnowledgeSearch knowledge, TimeProvider clock, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == flowId, ct);
        if (flow is null)
        {
            return Failure.NotFound();
        }

        string json;
        if (request.Version is { } version)
        {
            if (await db.FlowVersions.AsNoTracking().Where(v => v.TenantId == tenantId && v.FlowId == flowId && v.Version == version).Select(v => v.Document).FirstOrDefaultAsync(ct) is not { } stored)
            {
                return Failure.Invalid("version", "This flow has no such published version.");
            }

            json = stored;
        }
        else
        {
            json = flow.Draft;
        }

        return await RunDocumentAsync(tenantId, flowId, request.Version, FlowDocument.Parse(json), request, db, knowledge, clock, ct);
    }

    /// <summary>Tests any document of the tenant (the editor's unsaved one too); it must be valid first.</summary>
    public static async Task<Outcome<TestResponse>> RunDocumentAsync(
        Guid tenantId, Guid flowId, int? version, FlowDocument document, TestRequest request, SwitchboardDbContext db, KnowledgeSearch knowledge, TimeProvider clock, CancellationToken ct)
    {
        if ((request.Inputs?.Count ?? 0) > MaxInputs)
        {
            return Failure.Invalid("inputs", $"At most {MaxInputs} inputs.");
        }

        var errors = FlowValidation.Validate(document, await FlowsApi.ReferencesAsync(db, tenantId, ct));
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var session = new FlowSession { TenantId = tenantId, State = FlowSessionState.Active, FlowId = flowId, Version = version, StartedAt = now, InputAfter = now };
        var walk = new DryRun(session, now, document, request, db, knowledge, ct);
        await walk.RunFromAsync(document.StartNode);
        var used = 0;
        foreach (var input in request.Inputs ?? [])
        {
            if (session.State != FlowSessionState.Active)
            {
                break;
            }

            walk.AfterInput = ++used;
            if (input.Timeout == true)
            {
                if (session.WaitUntil is not null)
                {
                    await walk.TimeoutAsync();
                }

                continue;
            }

            await walk.AnswerAsync(new FlowInput(Guid.Empty, now, input.ReplyId, input.Text, input.Media == true));
        }

        return new TestResponse(
            version, walk.Events, walk.Path, session.State.ToString().ToLowerInvariant(), session.EndReason, session.NodeId, used, walk.Attributes, [.. walk.Labels]);
    }

    /// <summary>The walk with effects recorded in memory; conditions read the tenant's calendars but nothing is written.</summary>
    private sealed class DryRun : FlowWalk
    {
        private readonly TestRequest request;
        private readonly SwitchboardDbContext db;
        private readonly KnowledgeSearch knowledge;
        private readonly CancellationToken ct;

        public DryRun(FlowSession s, DateTimeOffset now, FlowDocument document, TestRequest request, SwitchboardDbContext db, KnowledgeSearch knowledge, CancellationToken ct)
            : base(s, now)
        {
            Doc = document;
            this.request = request;
            this.db = db;
            this.knowledge = knowledge;
            this.ct = ct;
            foreach (var (key, value) in request.Attributes ?? [])
            {
                Attributes[key] = value;
            }

            Labels.UnionWith(request.Labels ?? []);
        }

        public int AfterInput { get; set; }

        public List<TestEvent> Events { get; } = [];

        public Dictionary<string, string?> Attributes { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Labels { get; } = new(StringComparer.Ordinal);

        protected override Task<bool> SendAsync(SendRequest request, bool stopOnRefusal = true)
        {
            Events.Add(new TestEvent(AfterInput, Session.NodeId ?? "", request.Type ?? "text", request, null));
            return Task.FromResult(true);
        }

        protected override Task TransferAsync(Guid teamId)
        {
            Events.Add(new TestEvent(AfterInput, Session.NodeId ?? "", "routed", null, teamId));
            return Task.CompletedTask;
        }

        protected override Task<bool> SetAttributeAsync(string attribute, string? value)
        {
            Attributes[attribute] = value;
            return Task.FromResult(true);
        }

        protected override Task AddLabelAsync(string label)
        {
            Labels.Add(label);
            return Task.CompletedTask;
        }

        protected override async Task<bool> HoldsAsync(FlowCondition condition) => condition.Kind switch
        {
            "attribute" => Attributes.TryGetValue(condition.Attribute!, out var value) && value is not null
                && (condition.Value is null || string.Equals(value, condition.Value, StringComparison.OrdinalIgnoreCase)),
            "label" => Labels.Contains(condition.Label!),
            "business_hours" => await RoutingLookups.IsOpenAsync(db, Session.TenantId, condition.CalendarId!.Value, Now, ct),
            "time_of_day" => FlowClock.Within(Now, condition.From!, condition.To!, condition.TimeZone),
            "channel" => request.ChannelId == condition.ChannelId,
            _ => false,
        };

        /// <summary>Reads the tenant's published articles (nothing is written), with the inputs' last typed text.</summary>
        protected override async Task<(KnowledgeHit Hit, double Match)?> SearchKnowledgeAsync(string? question) =>
            string.IsNullOrWhiteSpace(question) ? null : await knowledge.BestAnswerAsync(db, Session.TenantId, question, ct);

        protected override Task HandOverAsync(bool transcript)
        {
            Events.Add(new TestEvent(AfterInput, Session.NodeId ?? "", "handoff", null, null));
            return Task.CompletedTask;
        }
    }
}
