using System.Text.Json;

namespace Switchboard.Features.Automation;

/// <summary>The events a rule can be written for.</summary>
internal static class RuleEvents
{
    public const string MessageReceived = "message_received";
    public const string ConversationCreated = "conversation_created";
    public const string ConversationResolved = "conversation_resolved";
    public const string LabelAdded = "label_added";
    public const string SlaWarning = "sla_warning";

    public static readonly IReadOnlyList<string> All = [MessageReceived, ConversationCreated, ConversationResolved, LabelAdded, SlaWarning];

    /// <summary>The rule events a queued job stands for: an opening message is also a received message.</summary>
    public static IReadOnlyList<string> Of(string trigger) => trigger switch
    {
        AutomationTrigger.Opened => [ConversationCreated, MessageReceived],
        AutomationTrigger.Message => [MessageReceived],
        AutomationTrigger.Resolved => [ConversationResolved],
        AutomationTrigger.LabelAdded => [LabelAdded],
        AutomationTrigger.SlaWarning => [SlaWarning],
        _ => [],
    };
}

/// <summary>
/// One condition; all of a rule's must hold. <c>text_contains</c> (<c>value</c>, case-insensitive, on the customer's
/// message), <c>attribute</c> (<c>key</c> equals <c>value</c>), <c>team</c> (<c>teamId</c>), <c>channel</c>
/// (<c>channelId</c>), <c>label</c> (<c>labelId</c>: the conversation has it, or for label_added: the label added),
/// <c>business_hours</c> (<c>calendarId</c>; <c>open</c> true: inside the hours, false: outside), <c>sentiment</c>
/// (<c>value</c>: negative, neutral or positive, the customer's message), <c>sentiment_trend</c> (<c>below</c>: the
/// conversation's trend score is under it, -1 to 1). Sentiment is there only while the assistant is on (ADR 0046).
/// </summary>
internal sealed record RuleCondition(
    string? Type, string? Value = null, string? Key = null, Guid? TeamId = null, Guid? ChannelId = null, Guid? LabelId = null, Guid? CalendarId = null, bool? Open = null, double? Below = null);

/// <summary>
/// One action, run in order: <c>assign_team</c> (<c>teamId</c>), <c>add_label</c> (<c>labelId</c>), <c>set_priority</c>
/// (<c>priority</c>: low, normal, high, urgent), <c>send_canned_response</c> (<c>cannedResponseId</c>, a shared one),
/// <c>add_note</c> (<c>text</c>), <c>resolve</c>.
/// </summary>
internal sealed record RuleAction(string? Type, Guid? TeamId = null, Guid? LabelId = null, string? Priority = null, Guid? CannedResponseId = null, string? Text = null);

internal static class RuleConditionTypes
{
    public const string TextContains = "text_contains";
    public const string Attribute = "attribute";
    public const string Team = "team";
    public const string Channel = "channel";
    public const string Label = "label";
    public const string BusinessHours = "business_hours";
    public const string Sentiment = "sentiment";
    public const string SentimentTrend = "sentiment_trend";

    public static readonly IReadOnlyList<string> All = [TextContains, Attribute, Team, Channel, Label, BusinessHours, Sentiment, SentimentTrend];

    public static readonly IReadOnlyList<string> SentimentValues = ["negative", "neutral", "positive"];
}

internal static class RuleActionTypes
{
    public const string AssignTeam = "assign_team";
    public const string AddLabel = "add_label";
    public const string SetPriority = "set_priority";
    public const string SendCannedResponse = "send_canned_response";
    public const string AddNote = "add_note";
    public const string Resolve = "resolve";

    public static readonly IReadOnlyList<string> All = [AssignTeam, AddLabel, SetPriority, SendCannedResponse, AddNote, Resolve];
}

/// <summary>How conditions and actions are stored (camelCase JSON, nulls left out).</summary>
internal static class RuleJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static string Write<T>(IReadOnlyList<T> items) => JsonSerializer.Serialize(items, Options);

    public static IReadOnlyList<T> Read<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, Options) ?? [];
}
