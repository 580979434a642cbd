using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Features.Flows;

/// <summary>
/// A flow as the API takes and stores it (docs/flows.md, ADR 0029): a trigger, the numbers it answers on,
/// a start node and the nodes. Node kinds use the fields they need; the rest stay null.
/// </summary>
internal sealed record FlowDocument(
    string? Name,
    FlowTrigger? Trigger,
    IReadOnlyList<Guid>? ChannelIds,
    string? Start,
    IReadOnlyList<string>? HandoffKeywords,
    IReadOnlyList<FlowNode>? Nodes)
{
    public static readonly IReadOnlyList<string> DefaultHandoffKeywords = ["agent", "human"];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static FlowDocument Parse(string json) => JsonSerializer.Deserialize<FlowDocument>(json, Json) ?? throw new JsonException("Empty flow document.");

    /// <summary>The start node, or the first node when none is named.</summary>
    public string? StartNode => Start ?? (Nodes is { Count: > 0 } nodes ? nodes[0].Id : null);

    public FlowNode? Node(string? id) => id is null ? null : Nodes?.FirstOrDefault(n => n.Id == id);

    public IReadOnlyList<string> Handoff => HandoffKeywords ?? DefaultHandoffKeywords;
}

/// <summary>When a flow starts: <c>new_conversation</c>, <c>keyword</c>, <c>outside_hours</c> (of a calendar) or <c>no_agent</c> (none online, in a team or at all).</summary>
internal sealed record FlowTrigger(string? Type, IReadOnlyList<string>? Keywords, Guid? CalendarId, Guid? TeamId);

/// <summary>
/// One step. <c>type</c>: <c>text</c>, <c>media</c>, <c>buttons</c>, <c>list</c>, <c>ask</c>, <c>condition</c>,
/// <c>set_attribute</c>, <c>add_label</c>, <c>route</c>, <c>handoff</c>, <c>wait</c>, <c>knowledge</c>, <c>end</c>.
/// </summary>
internal sealed record FlowNode(
    string? Id,
    string? Type,
    string? Text = null,
    string? Next = null,
    string? Header = null,
    string? Footer = null,
    IReadOnlyList<FlowChoice>? Buttons = null,
    string? Button = null,
    IReadOnlyList<FlowChoice>? Rows = null,
    string? MediaType = null,
    FlowMedia? Media = null,
    string? Validation = null,
    string? Pattern = null,
    string? Attribute = null,
    string? Value = null,
    string? Label = null,
    string? Error = null,
    FlowCondition? Condition = null,
    string? Then = null,
    string? Else = null,
    Guid? TeamId = null,
    int? Seconds = null,
    int? TimeoutSeconds = null,
    string? Timeout = null,
    double? MinMatch = null,
    string? NoAnswer = null);

/// <summary>A reply button or list row with the node its answer leads to.</summary>
internal sealed record FlowChoice(string? Id, string? Title, string? Description, string? Next);

/// <summary>A file sent by a media node: base64 bytes, MIME type and (documents) file name.</summary>
internal sealed record FlowMedia(string? Data, string? MimeType, string? FileName);

/// <summary>
/// What a condition node checks: <c>attribute</c> (equals <c>value</c>, or is set when no value), <c>label</c>,
/// <c>business_hours</c> (of <c>calendarId</c>), <c>time_of_day</c> (<c>from</c>–<c>to</c>, HH:mm in <c>timeZone</c>),
/// <c>channel</c> (<c>channelId</c>).
/// </summary>
internal sealed record FlowCondition(
    string? Kind, string? Attribute, string? Value, string? Label, Guid? CalendarId, string? From, string? To, string? TimeZone, Guid? ChannelId);
