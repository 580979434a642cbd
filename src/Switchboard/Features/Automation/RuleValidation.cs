using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Features.Workspace;

namespace Switchboard.Features.Automation;

/// <summary>The body of a rule's create and replace.</summary>
internal sealed record RuleRequest(string? Name, string? Event, bool? Enabled, int? Position, RuleCondition[]? Conditions, RuleAction[]? Actions);

/// <summary>
/// Checks a rule against the vocabulary and the tenant's own rows (teams, labels, channels, calendars, shared canned
/// responses): every fault is a field error named by its JSON path, and nothing is stored.
/// </summary>
internal static class RuleValidation
{
    public const int MaxConditions = 20;
    public const int MaxActions = 10;
    public const int MaxRulesPerTenant = 200;

    public static async Task<Failure?> CheckAsync(SwitchboardDbContext db, Guid tenantId, RuleRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 128)
        {
            errors["name"] = ["Required, at most 128 characters."];
        }

        if (request.Event is null || !RuleEvents.All.Contains(request.Event))
        {
            errors["event"] = [$"Must be one of: {string.Join(", ", RuleEvents.All)}."];
        }

        if (request.Position is < 0 or > 100_000)
        {
            errors["position"] = ["From 0 to 100000."];
        }

        var conditions = request.Conditions ?? [];
        if (conditions.Length > MaxConditions)
        {
            errors["conditions"] = [$"At most {MaxConditions} conditions."];
        }

        var actions = request.Actions ?? [];
        if (actions.Length is 0 or > MaxActions)
        {
            errors["actions"] = [$"From 1 to {MaxActions} actions."];
        }

        var ids = new TenantIds(db, tenantId);
        for (var i = 0; i < conditions.Length && conditions.Length <= MaxConditions; i++)
        {
            await CheckConditionAsync(conditions[i], $"conditions[{i}]", request.Event, ids, errors, ct);
        }

        for (var i = 0; i < actions.Length && actions.Length <= MaxActions; i++)
        {
            await CheckActionAsync(actions[i], $"actions[{i}]", ids, errors, ct);
        }

        return errors.Count > 0 ? Failure.Invalid(errors) : null;
    }

    private static async Task CheckConditionAsync(RuleCondition? c, string at, string? ruleEvent, TenantIds ids, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        switch (c?.Type)
        {
            case RuleConditionTypes.TextContains:
                if (string.IsNullOrWhiteSpace(c.Value) || c.Value.Length > 200)
                {
                    errors[$"{at}.value"] = ["Required, at most 200 characters."];
                }

                if (ruleEvent is not (RuleEvents.MessageReceived or RuleEvents.ConversationCreated))
                {
                    errors[$"{at}.type"] = ["text_contains needs a message: only for message_received and conversation_created."];
                }

                break;
            case RuleConditionTypes.Attribute:
                if (c.Key is null || !await ids.AttributeAsync(c.Key, ct))
                {
                    errors[$"{at}.key"] = ["Not a contact attribute defined in this tenant."];
                }

                if (c.Value is null || c.Value.Length > ContactAttributes.MaxTextLength)
                {
                    errors[$"{at}.value"] = [$"Required, at most {ContactAttributes.MaxTextLength} characters."];
                }

                break;
            case RuleConditionTypes.Team:
                if (c.TeamId is null || !await ids.TeamAsync(c.TeamId.Value, ct))
                {
                    errors[$"{at}.teamId"] = ["Not a team of this tenant."];
                }

                break;
            case RuleConditionTypes.Channel:
                if (c.ChannelId is null || !await ids.ChannelAsync(c.ChannelId.Value, ct))
                {
                    errors[$"{at}.channelId"] = ["Not a number of this tenant."];
                }

                break;
            case RuleConditionTypes.Label:
                if (c.LabelId is null || !await ids.LabelAsync(c.LabelId.Value, ct))
                {
                    errors[$"{at}.labelId"] = ["Not a label of this tenant."];
                }

                break;
            case RuleConditionTypes.BusinessHours:
                if (c.CalendarId is null || !await ids.CalendarAsync(c.CalendarId.Value, ct))
                {
                    errors[$"{at}.calendarId"] = ["Not a calendar of this tenant."];
                }

                break;
            case RuleConditionTypes.Sentiment:
                if (c.Value is null || !RuleConditionTypes.SentimentValues.Contains(c.Value))
                {
                    errors[$"{at}.value"] = [$"Must be one of: {string.Join(", ", RuleConditionTypes.SentimentValues)}."];
                }

                if (ruleEvent is not (RuleEvents.MessageReceived or RuleEvents.ConversationCreated))
                {
                    errors[$"{at}.type"] = ["sentiment is a message's: only for message_received and conversation_created (sentiment_trend for any event)."];
                }

                break;
            case RuleConditionTypes.SentimentTrend:
                if (c.Below is not { } below || double.IsNaN(below) || below is < -1 or > 1)
                {
                    errors[$"{at}.below"] = ["Required, a score from -1 to 1."];
                }

                break;
            default:
                errors[$"{at}.type"] = [$"Must be one of: {string.Join(", ", RuleConditionTypes.All)}."];
                break;
        }
    }

    private static async Task CheckActionAsync(RuleAction? a, string at, TenantIds ids, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        switch (a?.Type)
        {
            case RuleActionTypes.AssignTeam:
                if (a.TeamId is null || !await ids.TeamAsync(a.TeamId.Value, ct))
                {
                    errors[$"{at}.teamId"] = ["Not a team of this tenant."];
                }

                break;
            case RuleActionTypes.AddLabel:
                if (a.LabelId is null || !await ids.LabelAsync(a.LabelId.Value, ct))
                {
                    errors[$"{at}.labelId"] = ["Not a label of this tenant."];
                }

                break;
            case RuleActionTypes.SetPriority:
                if (a.Priority is null || !ConversationPriorities.All.Contains(a.Priority))
                {
                    errors[$"{at}.priority"] = [$"Must be one of: {string.Join(", ", ConversationPriorities.All)}."];
                }

                break;
            case RuleActionTypes.SendCannedResponse:
                if (a.CannedResponseId is null || !await ids.SharedCannedAsync(a.CannedResponseId.Value, ct))
                {
                    errors[$"{at}.cannedResponseId"] = ["Not a shared canned response of this tenant."];
                }

                break;
            case RuleActionTypes.AddNote:
                if (string.IsNullOrWhiteSpace(a.Text) || a.Text.Length > 4096)
                {
                    errors[$"{at}.text"] = ["Required, at most 4096 characters."];
                }

                break;
            case RuleActionTypes.Resolve:
                break;
            default:
                errors[$"{at}.type"] = [$"Must be one of: {string.Join(", ", RuleActionTypes.All)}."];
                break;
        }
    }

    /// <summary>Whether ids name rows of this tenant (another tenant's id is as unknown as a made-up one).</summary>
    private sealed class TenantIds(SwitchboardDbContext db, Guid tenantId)
    {
        public Task<bool> TeamAsync(Guid id, CancellationToken ct) => db.Teams.AnyAsync(t => t.TenantId == tenantId && t.Id == id, ct);

        public Task<bool> LabelAsync(Guid id, CancellationToken ct) => db.Labels.AnyAsync(l => l.TenantId == tenantId && l.Id == id, ct);

        public Task<bool> ChannelAsync(Guid id, CancellationToken ct) => db.Channels.AnyAsync(c => c.TenantId == tenantId && c.Id == id, ct);

        public Task<bool> CalendarAsync(Guid id, CancellationToken ct) => db.Calendars.AnyAsync(c => c.TenantId == tenantId && c.Id == id, ct);

        public Task<bool> SharedCannedAsync(Guid id, CancellationToken ct) => db.CannedResponses.AnyAsync(c => c.TenantId == tenantId && c.Id == id && c.OwnerUserId == null, ct);

        public Task<bool> AttributeAsync(string key, CancellationToken ct) => db.ContactAttributeDefinitions.AnyAsync(d => d.TenantId == tenantId && d.Key == key, ct);
    }
}
