using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Dashboard;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Features.Workspace;

namespace Switchboard.Features.Automation.Pages;

/// <summary>The page's state and actions: every change goes through the rules and replies use cases.</summary>
public sealed partial class AutomationPage
{
    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    private ClaimsPrincipal user = new();
    private Guid tenantId;
    private List<AutomationRules.RuleResponse> rules = [];
    private Guid? editingId;
    private string name = "";
    private string eventName = RuleEvents.MessageReceived;
    private bool enabled = true;
    private List<Row> conditions = [];
    private List<Row> actions = [];
    private IReadOnlyList<(Guid Id, string Name)> teams = [];
    private IReadOnlyList<(Guid Id, string Name)> labels = [];
    private IReadOnlyList<(Guid Id, string Name)> channels = [];
    private IReadOnlyList<(Guid Id, string Name)> calendars = [];
    private IReadOnlyList<(Guid Id, string Name)> canned = [];
    private AutoReplySettingsApi.RepliesDocument? replies;
    private string? greeting;
    private string? away;
    private string? outOfHours;
    private string? calendarId;
    private int? periodMinutes;
    private readonly PageFeedback feedback = new();

    // Set once the page's data is loaded: a click before it would act for no tenant.
    private bool ready;

    /// <summary>A condition or action being edited: its type and the one value that type takes.</summary>
    private sealed class Row
    {
        public string Type { get; set; } = "";

        public string? Value { get; set; }

        public string? Key { get; set; }
    }

    protected override async Task OnInitializedAsync()
    {
        user = (await AuthenticationState).User;
        if (user.TenantIdOf() is not { } tenant)
        {
            return;
        }

        tenantId = tenant;
        await using var db = await DbFactory.CreateDbContextAsync();
        teams = [.. (await db.Teams.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync()).Select(t => (t.Id, t.Name))];
        labels = [.. (await db.Labels.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync()).Select(t => (t.Id, t.Name))];
        channels = [.. (await db.Channels.AsNoTracking().Where(t => t.TenantId == tenantId).Select(t => new { t.Id, t.DisplayPhoneNumber }).ToListAsync()).Select(t => (t.Id, t.DisplayPhoneNumber))];
        calendars = [.. (await db.Calendars.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).Select(t => new { t.Id, t.Name }).ToListAsync()).Select(t => (t.Id, t.Name))];
        canned = [.. (await db.CannedResponses.AsNoTracking().Where(t => t.TenantId == tenantId && t.OwnerUserId == null).OrderBy(t => t.Shortcut).Select(t => new { t.Id, t.Shortcut }).ToListAsync()).Select(t => (t.Id, "/" + t.Shortcut))];
        await LoadAsync(db);
        replies = await AutoReplySettingsApi.ReadAsync(db, tenantId, CancellationToken.None);
        (greeting, away, outOfHours, calendarId, periodMinutes) = (replies.Greeting, replies.Away, replies.OutOfHours, replies.CalendarId?.ToString(), replies.PeriodMinutes);
        ready = true;
    }

    private async Task LoadAsync(SwitchboardDbContext db) => rules = [.. await AutomationRules.ListOfAsync(db, tenantId, CancellationToken.None)];

    private static Guid? Id(string? value) => Guid.TryParse(value, out var id) ? id : null;

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private RuleRequest Request(int? position) => new(
        name,
        eventName,
        enabled,
        position,
        [.. conditions.Select(c => c.Type switch
        {
            RuleConditionTypes.TextContains => new RuleCondition(c.Type, Value: Text(c.Value)),
            RuleConditionTypes.Attribute => new RuleCondition(c.Type, Value: Text(c.Value), Key: Text(c.Key)),
            RuleConditionTypes.Team => new RuleCondition(c.Type, TeamId: Id(c.Value)),
            RuleConditionTypes.Channel => new RuleCondition(c.Type, ChannelId: Id(c.Value)),
            RuleConditionTypes.Label => new RuleCondition(c.Type, LabelId: Id(c.Value)),
            _ => new RuleCondition(c.Type, CalendarId: Id(c.Value), Open: c.Key != "false"),
        })],
        [.. actions.Select(a => a.Type switch
        {
            RuleActionTypes.AssignTeam => new RuleAction(a.Type, TeamId: Id(a.Value)),
            RuleActionTypes.AddLabel => new RuleAction(a.Type, LabelId: Id(a.Value)),
            RuleActionTypes.SetPriority => new RuleAction(a.Type, Priority: Text(a.Value)),
            RuleActionTypes.SendCannedResponse => new RuleAction(a.Type, CannedResponseId: Id(a.Value)),
            RuleActionTypes.AddNote => new RuleAction(a.Type, Text: Text(a.Value)),
            _ => new RuleAction(a.Type),
        })]);

    private static Row RowOf(RuleCondition c) => new()
    {
        Type = c.Type ?? "",
        Value = c.Value ?? (c.TeamId ?? c.ChannelId ?? c.LabelId ?? c.CalendarId)?.ToString(),
        Key = c.Type == RuleConditionTypes.BusinessHours ? (c.Open == false ? "false" : "true") : c.Key,
    };

    private static Row RowOf(RuleAction a) => new()
    {
        Type = a.Type ?? "",
        Value = a.Text ?? a.Priority ?? (a.TeamId ?? a.LabelId ?? a.CannedResponseId)?.ToString(),
    };

    private void Edit(AutomationRules.RuleResponse rule)
    {
        (editingId, name, eventName, enabled) = (rule.Id, rule.Name, rule.Event, rule.Enabled);
        conditions = [.. rule.Conditions.Select(RowOf)];
        actions = [.. rule.Actions.Select(RowOf)];
        feedback.Errors = [];
    }

    private void Reset()
    {
        (editingId, name, eventName, enabled) = (null, "", RuleEvents.MessageReceived, true);
        conditions = [];
        actions = [];
        feedback.Errors = [];
    }

    private bool Allowed() => feedback.Allow(user, Permissions.AutomationManage);

    private bool Show<T>(Outcome<T> outcome, string done)
        where T : class => feedback.Show(outcome, done) is not null;

    private async Task SaveAsync()
    {
        if (!Allowed())
        {
            return;
        }

        await using var db = await DbFactory.CreateDbContextAsync();
        var actor = AuditActor.From(user, null);
        var saved = editingId is { } id
            ? Show(await AutomationRules.UpdateOfAsync(db, tenantId, id, Request(null), actor, Clock.GetUtcNow(), CancellationToken.None), "Rule saved.")
            : Show(await AutomationRules.CreateOfAsync(db, tenantId, Request(null), actor, Clock.GetUtcNow(), CancellationToken.None), "Rule created.");
        if (saved)
        {
            Reset();
            await LoadAsync(db);
        }
    }

    private async Task<bool> ReplaceAsync(SwitchboardDbContext db, AutomationRules.RuleResponse rule, bool isEnabled, int position, string done)
    {
        var request = new RuleRequest(rule.Name, rule.Event, isEnabled, position, [.. rule.Conditions], [.. rule.Actions]);
        return Show(await AutomationRules.UpdateOfAsync(db, tenantId, rule.Id, request, AuditActor.From(user, null), Clock.GetUtcNow(), CancellationToken.None), done);
    }

    private async Task ToggleAsync(AutomationRules.RuleResponse rule)
    {
        if (!Allowed())
        {
            return;
        }

        await using var db = await DbFactory.CreateDbContextAsync();
        await ReplaceAsync(db, rule, !rule.Enabled, rule.Position, rule.Enabled ? $"{rule.Name} is off." : $"{rule.Name} is on.");
        await LoadAsync(db);
    }

    /// <summary>Moves a rule up or down: the list is renumbered 0, 1, 2… in its new order.</summary>
    private async Task MoveAsync(int index, int by)
    {
        var to = index + by;
        if (!Allowed() || to < 0 || to >= rules.Count)
        {
            return;
        }

        var order = rules.ToList();
        (order[index], order[to]) = (order[to], order[index]);
        await using var db = await DbFactory.CreateDbContextAsync();
        for (var i = 0; i < order.Count; i++)
        {
            if (order[i].Position != i && !await ReplaceAsync(db, order[i], order[i].Enabled, i, "Order saved."))
            {
                break;
            }
        }

        await LoadAsync(db);
    }

    private async Task DeleteAsync(AutomationRules.RuleResponse rule)
    {
        if (!Allowed())
        {
            return;
        }

        await using var db = await DbFactory.CreateDbContextAsync();
        var failure = await AutomationRules.DeleteOfAsync(db, tenantId, rule.Id, AuditActor.From(user, null), Clock.GetUtcNow(), CancellationToken.None);
        feedback.Message = failure is null ? $"{rule.Name} deleted." : null;
        feedback.Error = failure?.FullMessage;
        await LoadAsync(db);
    }

    private async Task SaveRepliesAsync()
    {
        if (!Allowed())
        {
            return;
        }

        await using var db = await DbFactory.CreateDbContextAsync();
        var document = new AutoReplySettingsApi.RepliesDocument(Text(greeting), Text(away), Text(outOfHours), Id(calendarId), periodMinutes, replies?.Channels);
        if (Show(await AutoReplySettingsApi.SetAsync(db, tenantId, document, AuditActor.From(user, null), Clock.GetUtcNow(), CancellationToken.None), "Automatic replies saved."))
        {
            replies = await AutoReplySettingsApi.ReadAsync(db, tenantId, CancellationToken.None);
        }
    }
}
