using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.JSInterop;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Dashboard;
using Switchboard.Features.Audit;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Flows.Pages;

/// <summary>
/// The editor's state and actions; every change goes through the flows use cases (validation, audit) as the API does. The flow
/// on screen is kept apart from the route's parameter: the page opens flows inside its circuit and sets the address through the
/// history API (ADR 0063).
/// </summary>
public sealed partial class FlowsPage
{
    private const string InvalidFlow = "The flow has errors; they are shown at their nodes.";

    [Parameter]
    public Guid? FlowId { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private KnowledgeSearch Knowledge { get; set; } = default!;

    /// <summary>The flow in the editor (none: a new flow, or the list alone when not <see cref="editing"/>).</summary>
    private Guid? open;

    private bool started;

    private ClaimsPrincipal user = new();
    private Guid tenantId;
    private List<FlowsApi.FlowResponse> flows = [];
    private IReadOnlyList<(Guid Id, string Name)> teams = [];
    private bool editing;
    private string name = "";
    private string triggerType = "new_conversation";
    private string? keywords;
    private string? triggerCalendar;
    private string? triggerTeam;
    private string? handoff;
    private IReadOnlyList<Guid>? channelIds;
    private string? start;
    private string? selected;
    private List<NodeDraft> nodes = [];
    private string addKind = "text";
    private IReadOnlyList<FlowVersionsApi.VersionResponse> versions = [];
    private FlowStats.StatsResponse? stats;
    private Dictionary<string, NodeCount> statsByNode = [];
    private int? publishedVersion;
    private readonly PageFeedback feedback = new();

    private IReadOnlyList<string> NodeIds => [.. nodes.Select(n => n.Id)];

    private string StatusText => publishedVersion is { } v ? $"version {v} running" : "draft";

    private IEnumerable<(string Field, string[] Messages)> GeneralErrors => feedback.Errors.Where(e => !e.Key.StartsWith("nodes[", StringComparison.Ordinal)).Select(e => (e.Key, e.Value));

    private List<(string Field, string[] Messages)> ErrorsOf(int index) =>
        [.. feedback.Errors.Where(e => e.Key == $"nodes[{index}]" || e.Key.StartsWith($"nodes[{index}].", StringComparison.Ordinal)).Select(e => (e.Key, e.Value))];

    protected override void OnInitialized()
    {
        if (RendererInfo.IsInteractive)
        {
            Navigation.LocationChanged += OnLocationChanged;
        }
    }

    /// <summary>
    /// The server's rendering of an address: the first one opens the flow it names; a later one only when it names the address the
    /// page knows and that flow is not on screen yet (one arriving after the page moved on is dropped, ADR 0063).
    /// </summary>
    protected override async Task OnParametersSetAsync()
    {
        user = (await AuthenticationState).User;
        if (user.TenantIdOf() is not { } tenant)
        {
            return;
        }

        tenantId = tenant;
        if (!started)
        {
            started = true;
            addressed = FlowId;
            await ShowAsync(FlowId);
        }
        else if (FlowId == addressed && FlowId != open)
        {
            await ShowAsync(FlowId);
        }
    }

    /// <summary>Reloads the list and puts the flow in the editor (none: the list alone; a flow that is not the tenant's: the list alone).</summary>
    private async Task ShowAsync(Guid? id)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        teams = [.. (await db.Teams.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync()).Select(t => (t.Id, t.Name))];
        flows = [.. (await FlowsApi.ListAsync(tenantId, db, CancellationToken.None)).Value!.Items];
        if (id is { } wanted && flows.FirstOrDefault(f => f.Id == wanted) is { } flow)
        {
            open = wanted;
            Load(flow);
            await LoadVersionsAsync(db);
        }
        else
        {
            open = null;
            editing = false;
        }
    }

    private void Load(FlowsApi.FlowResponse flow)
    {
        editing = true;
        name = flow.Name;
        triggerType = flow.Trigger?.Type ?? "new_conversation";
        keywords = flow.Trigger?.Keywords is { } k ? string.Join(", ", k) : null;
        triggerCalendar = flow.Trigger?.CalendarId?.ToString();
        triggerTeam = flow.Trigger?.TeamId?.ToString();
        handoff = string.Join(", ", flow.HandoffKeywords);
        channelIds = flow.ChannelIds;
        start = flow.Start ?? (flow.Nodes.Count > 0 ? flow.Nodes[0].Id : null);
        nodes = [.. flow.Nodes.Select(NodeDraft.From)];
        publishedVersion = flow.PublishedVersion;
        feedback.Errors = [];
    }

    private async Task LoadVersionsAsync(SwitchboardDbContext db)
    {
        versions = await FlowVersionsApi.VersionsAsync(db, tenantId, open!.Value, CancellationToken.None) ?? [];
        stats = await FlowStats.ReadAsync(db, tenantId, open!.Value, null, CancellationToken.None);
        statsByNode = stats?.Items.ToDictionary(s => s.NodeId, s => new NodeCount(s.Reached, s.Dropped, s.HandedOff)) ?? [];
    }

    private async Task NewFlowAsync()
    {
        open = addressed = null;
        editing = true;
        name = "New flow";
        triggerType = "new_conversation";
        keywords = triggerCalendar = triggerTeam = null;
        handoff = string.Join(", ", FlowDocument.DefaultHandoffKeywords);
        channelIds = null;
        nodes = [new NodeDraft { Id = "welcome", Type = "text", Text = "Hello! How can we help?" }];
        start = "welcome";
        publishedVersion = null;
        versions = [];
        stats = null;
        statsByNode = [];
        feedback.Clear();
        await JS.InvokeVoidAsync("switchboard.showAddress", "/admin/flows");
    }

    private void Add()
    {
        var n = nodes.Count + 1;
        while (nodes.Any(x => x.Id == $"{addKind}{n}"))
        {
            n++;
        }

        var node = new NodeDraft { Id = $"{addKind}{n}", Type = addKind };
        if (addKind is "buttons" or "list")
        {
            node.Choices.Add(new ChoiceDraft { Id = "option1", Title = "Option 1" });
            node.Button = addKind == "list" ? "Options" : null;
        }

        nodes.Add(node);
        start ??= node.Id;
        selected = node.Id;
    }

    private void Remove(NodeDraft node)
    {
        nodes.Remove(node);
        if (start == node.Id)
        {
            start = nodes.Count > 0 ? nodes[0].Id : null;
        }
    }

    /// <summary>Renames a node and every branch that led to it.</summary>
    private void Rename((string From, string To) change)
    {
        foreach (var n in nodes)
        {
            n.Id = n.Id == change.From ? change.To : n.Id;
            n.Next = n.Next == change.From ? change.To : n.Next;
            n.Then = n.Then == change.From ? change.To : n.Then;
            n.Else = n.Else == change.From ? change.To : n.Else;
            n.Timeout = n.Timeout == change.From ? change.To : n.Timeout;
            n.NoAnswer = n.NoAnswer == change.From ? change.To : n.NoAnswer;
            foreach (var c in n.Choices.Where(c => c.Next == change.From))
            {
                c.Next = change.To;
            }
        }

        start = start == change.From ? change.To : start;
    }

    private FlowDocument Document()
    {
        static List<string>? Words(string? text) => string.IsNullOrWhiteSpace(text) ? null : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
        var trigger = new FlowTrigger(
            triggerType,
            triggerType == "keyword" ? Words(keywords) ?? [] : null,
            triggerType == "outside_hours" && Guid.TryParse(triggerCalendar, out var calendar) ? calendar : null,
            triggerType == "no_agent" && Guid.TryParse(triggerTeam, out var team) ? team : null);
        return new FlowDocument(name, trigger, channelIds is { Count: > 0 } ? channelIds : null, start, Words(handoff), [.. nodes.Select(n => n.ToNode())]);
    }

    private bool Allowed() => feedback.Allow(user, Permissions.FlowsManage);

    private async Task ValidateAsync()
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        feedback.Errors = FlowValidation.Validate(Document(), await FlowsApi.ReferencesAsync(db, tenantId, CancellationToken.None));
        feedback.Message = feedback.Errors.Count == 0 ? "The flow is valid." : null;
        feedback.Error = feedback.Errors.Count == 0 ? null : InvalidFlow;
    }

    private async Task<FlowsApi.FlowResponse?> SaveDraftAsync(SwitchboardDbContext db)
    {
        if (!Allowed())
        {
            return null;
        }

        var outcome = await FlowsApi.SaveAsync(tenantId, open, Document(), db, Clock, AuditActor.From(user, null), CancellationToken.None);
        return Show(outcome);
    }

    private FlowsApi.FlowResponse? Show(Outcome<FlowsApi.FlowResponse> outcome) => feedback.Show(outcome, null, InvalidFlow);

    private async Task SaveAsync()
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        if (await SaveDraftAsync(db) is { } saved)
        {
            feedback.Message = "Draft saved. Conversations keep running the published version until you publish.";
            await OpenAsync(saved.Id);
        }
    }

    private async Task PublishAsync()
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        if (await SaveDraftAsync(db) is not { } saved)
        {
            return;
        }

        if (Show(await FlowsApi.PublishDraftAsync(tenantId, saved.Id, db, Clock, AuditActor.From(user, null), CancellationToken.None)) is { } published)
        {
            feedback.Message = $"Published as version {published.PublishedVersion}: new conversations start on it.";
            await OpenAsync(published.Id);
        }
    }

    private async Task RestoreAsync(int version)
    {
        if (!Allowed() || open is not { } id)
        {
            return;
        }

        await using var db = await DbFactory.CreateDbContextAsync();
        if (Show(await FlowVersionsApi.RestoreVersionAsync(tenantId, id, version, db, Clock, AuditActor.From(user, null), CancellationToken.None)) is { } restored)
        {
            feedback.Message = $"Version {version} is running again, published as version {restored.PublishedVersion}.";
            await OpenAsync(id);
        }
    }

    private async Task<TestView> TestAsync(IReadOnlyList<TestLine> lines)
    {
        var request = new FlowTestRun.TestRequest(null, null, [.. lines.Select(l => new FlowTestRun.TestInput(l.Text, l.ReplyId, l.Media, l.Timeout))], null, null);
        await using var db = await DbFactory.CreateDbContextAsync();
        var outcome = await FlowTestRun.RunDocumentAsync(tenantId, open ?? Guid.Empty, null, Document(), request, db, Knowledge, Clock, CancellationToken.None);
        feedback.Errors = outcome.Failure?.Errors is { } e ? new Dictionary<string, string[]>(e) : [];
        StateHasChanged();
        if (outcome.Failure is { } failure)
        {
            return new TestView(failure.IsInvalid ? "Fix the flow's errors first; they are shown at their nodes." : failure.FullMessage, "", null, null, 0, [], []);
        }

        var r = outcome.Value!;
        var team = teams.ToDictionary(t => t.Id, t => t.Name);
        return new TestView(null, r.State, r.EndReason, r.NodeId, r.InputsUsed, r.Path, [.. r.Messages.Select(m => new TestStep(
            m.AfterInput,
            m.Message is { } sent ? Bubble.Of(sent) : null,
            m.Kind == "routed" ? $"Queued for {(m.TeamId is { } t && team.TryGetValue(t, out var n) ? n : "a team")}" : m.Message is null ? "Handed to a person" : null))]);
    }
}
