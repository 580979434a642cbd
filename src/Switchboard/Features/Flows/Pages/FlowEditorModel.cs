using Switchboard.Features.Outbound;

namespace Switchboard.Features.Flows.Pages;

/// <summary>A field the editor shows on a node card; a node kind is described by the fields it uses.</summary>
public enum NodeField
{
    Text,
    Header,
    Footer,
    Buttons,
    ListButton,
    Rows,
    Next,
    Validation,
    Attribute,
    Value,
    Label,
    Error,
    Condition,
    TeamId,
    Seconds,
    Timeout,
    MinMatch,
    NoAnswer,
}

/// <summary>
/// What the editor knows of a node kind (ADR 0041): its name, a line of help and the fields its card shows.
/// A new kind is one entry here (and its validation and runtime); the cards, graph and preview follow.
/// </summary>
public sealed record NodeKind(string Type, string Title, string Help, IReadOnlyList<NodeField> Fields, bool Sends = false)
{
    public static readonly IReadOnlyList<NodeKind> All =
    [
        new("text", "Message", "Sends a text, then goes on.", [NodeField.Text, NodeField.Next], Sends: true),
        new("media", "Media", "Sends the file the document holds (set through the API), then goes on.", [NodeField.Text, NodeField.Next], Sends: true),
        new("buttons", "Reply buttons", "Up to 3 buttons; each answer has its branch.", [NodeField.Text, NodeField.Header, NodeField.Footer, NodeField.Buttons, NodeField.Timeout], Sends: true),
        new("list", "List menu", "Up to 10 rows behind a button; each row has its branch.", [NodeField.Text, NodeField.ListButton, NodeField.Header, NodeField.Footer, NodeField.Rows, NodeField.Timeout], Sends: true),
        new("ask", "Question", "Asks, checks the answer and saves it to a contact attribute.", [NodeField.Text, NodeField.Validation, NodeField.Attribute, NodeField.Error, NodeField.Next, NodeField.Timeout], Sends: true),
        new("condition", "Condition", "Goes one way or the other.", [NodeField.Condition]),
        new("set_attribute", "Set attribute", "Sets a contact attribute.", [NodeField.Attribute, NodeField.Value, NodeField.Next]),
        new("add_label", "Add label", "Labels the conversation.", [NodeField.Label, NodeField.Next]),
        new("route", "Route to team", "Sends the optional text and queues the conversation for the team.", [NodeField.Text, NodeField.TeamId], Sends: true),
        new("handoff", "Hand off", "Sends the optional text and gives the conversation to a person.", [NodeField.Text], Sends: true),
        new("wait", "Wait", "Pauses, then goes on.", [NodeField.Seconds, NodeField.Next]),
        new("knowledge", "Knowledge answer", "Answers the customer's last text from a published article (excerpt and link), or follows \"no answer\".", [NodeField.MinMatch, NodeField.Next, NodeField.NoAnswer], Sends: true),
        new("end", "End", "Ends the flow.", []),
    ];

    public static NodeKind Of(string? type) => All.FirstOrDefault(k => k.Type == type) ?? new(type ?? "?", type ?? "?", "A kind this editor does not know; saved as it is.", []);

    public bool Has(NodeField field) => Fields.Contains(field);
}

/// <summary>A button or list row being edited.</summary>
public sealed class ChoiceDraft
{
    public string Id { get; set; } = "";

    public string Title { get; set; } = "";

    public string? Description { get; set; }

    public string? Next { get; set; }
}

/// <summary>A node being edited: every field of <see cref="FlowNode"/>, settable; unknown kinds keep their node as loaded.</summary>
public sealed class NodeDraft
{
    public string Id { get; set; } = "";

    public string Type { get; set; } = "text";

    public string? Text { get; set; }

    public string? Next { get; set; }

    public string? Header { get; set; }

    public string? Footer { get; set; }

    public string? Button { get; set; }

    public List<ChoiceDraft> Choices { get; set; } = [];

    public string? Validation { get; set; }

    public string? Pattern { get; set; }

    public string? Attribute { get; set; }

    public string? Value { get; set; }

    public string? Label { get; set; }

    public string? Error { get; set; }

    public string ConditionKind { get; set; } = "attribute";

    public string? ConditionAttribute { get; set; }

    public string? ConditionValue { get; set; }

    public string? ConditionLabel { get; set; }

    public string? ConditionFrom { get; set; }

    public string? ConditionTo { get; set; }

    public string? ConditionTimeZone { get; set; }

    public string? ConditionRef { get; set; }

    public string? Then { get; set; }

    public string? Else { get; set; }

    public string? TeamId { get; set; }

    public int? Seconds { get; set; }

    public int? TimeoutSeconds { get; set; }

    public string? Timeout { get; set; }

    public double? MinMatch { get; set; }

    public string? NoAnswer { get; set; }

    internal FlowNode? Original { get; set; }

    public NodeKind Kind => NodeKind.Of(Type);

    /// <summary>The nodes this one can lead to, with what leads there.</summary>
    public IEnumerable<(string Label, string Target)> Branches()
    {
        if (Type is "buttons" or "list")
        {
            foreach (var c in Choices.Where(c => !string.IsNullOrEmpty(c.Next)))
            {
                yield return (c.Title, c.Next!);
            }
        }

        if (Type == "condition")
        {
            if (!string.IsNullOrEmpty(Then))
            {
                yield return ("then", Then);
            }

            if (!string.IsNullOrEmpty(Else))
            {
                yield return ("else", Else);
            }
        }

        if (Kind.Has(NodeField.Next) && !string.IsNullOrEmpty(Next))
        {
            yield return ("next", Next);
        }

        if (Kind.Has(NodeField.Timeout) && !string.IsNullOrEmpty(Timeout))
        {
            yield return ("timeout", Timeout);
        }

        if (Kind.Has(NodeField.NoAnswer) && !string.IsNullOrEmpty(NoAnswer))
        {
            yield return ("no answer", NoAnswer);
        }
    }

    internal static NodeDraft From(FlowNode n) => new()
    {
        Id = n.Id ?? "",
        Type = n.Type ?? "text",
        Text = n.Text,
        Next = n.Next,
        Header = n.Header,
        Footer = n.Footer,
        Button = n.Button,
        Choices = [.. ((n.Type == "list" ? n.Rows : n.Buttons) ?? []).Select(c => new ChoiceDraft { Id = c.Id ?? "", Title = c.Title ?? "", Description = c.Description, Next = c.Next })],
        Validation = n.Validation,
        Pattern = n.Pattern,
        Attribute = n.Attribute,
        Value = n.Value,
        Label = n.Label,
        Error = n.Error,
        ConditionKind = n.Condition?.Kind ?? "attribute",
        ConditionAttribute = n.Condition?.Attribute,
        ConditionValue = n.Condition?.Value,
        ConditionLabel = n.Condition?.Label,
        ConditionFrom = n.Condition?.From,
        ConditionTo = n.Condition?.To,
        ConditionTimeZone = n.Condition?.TimeZone,
        ConditionRef = (n.Condition?.CalendarId ?? n.Condition?.ChannelId)?.ToString(),
        Then = n.Then,
        Else = n.Else,
        TeamId = n.TeamId?.ToString(),
        Seconds = n.Seconds,
        TimeoutSeconds = n.TimeoutSeconds,
        Timeout = n.Timeout,
        MinMatch = n.MinMatch,
        NoAnswer = n.NoAnswer,
        Original = n,
    };

    internal FlowNode ToNode()
    {
        if (!NodeKind.All.Any(k => k.Type == Type) && Original is { } kept)
        {
            return kept with { Id = Id };
        }

        var k = Kind;
        var choices = Choices.Select(c => new FlowChoice(Blank(c.Id), Blank(c.Title), Type == "list" ? Blank(c.Description) : null, Blank(c.Next))).ToList();
        FlowCondition? condition = Type != "condition" ? null : ConditionKind switch
        {
            "attribute" => new(ConditionKind, Blank(ConditionAttribute), Blank(ConditionValue), null, null, null, null, null, null),
            "label" => new(ConditionKind, null, null, Blank(ConditionLabel), null, null, null, null, null),
            "business_hours" => new(ConditionKind, null, null, null, GuidOf(ConditionRef), null, null, null, null),
            "time_of_day" => new(ConditionKind, null, null, null, null, Blank(ConditionFrom), Blank(ConditionTo), Blank(ConditionTimeZone), null),
            _ => new(ConditionKind, null, null, null, null, null, null, null, GuidOf(ConditionRef)),
        };
        return new FlowNode(
            Id,
            Type,
            Text: k.Has(NodeField.Text) ? Blank(Text) : null,
            Next: k.Has(NodeField.Next) ? Blank(Next) : null,
            Header: k.Has(NodeField.Header) ? Blank(Header) : null,
            Footer: k.Has(NodeField.Footer) ? Blank(Footer) : null,
            Buttons: Type == "buttons" ? choices : null,
            Button: k.Has(NodeField.ListButton) ? Blank(Button) : null,
            Rows: Type == "list" ? choices : null,
            MediaType: Type == "media" ? Original?.MediaType : null,
            Media: Type == "media" ? Original?.Media : null,
            Validation: k.Has(NodeField.Validation) ? Blank(Validation) : null,
            Pattern: k.Has(NodeField.Validation) && Validation == "regex" ? Blank(Pattern) : null,
            Attribute: k.Has(NodeField.Attribute) ? Blank(Attribute) : null,
            Value: k.Has(NodeField.Value) ? Blank(Value) : null,
            Label: k.Has(NodeField.Label) ? Blank(Label) : null,
            Error: k.Has(NodeField.Error) ? Blank(Error) : null,
            Condition: condition,
            Then: Type == "condition" ? Blank(Then) : null,
            Else: Type == "condition" ? Blank(Else) : null,
            TeamId: k.Has(NodeField.TeamId) ? GuidOf(TeamId) : null,
            Seconds: k.Has(NodeField.Seconds) ? Seconds : null,
            TimeoutSeconds: k.Has(NodeField.Timeout) ? TimeoutSeconds : null,
            Timeout: k.Has(NodeField.Timeout) ? Blank(Timeout) : null,
            MinMatch: k.Has(NodeField.MinMatch) ? MinMatch : null,
            NoAnswer: k.Has(NodeField.NoAnswer) ? Blank(NoAnswer) : null);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static Guid? GuidOf(string? value) => Guid.TryParse(value, out var id) ? id : null;
}

/// <summary>A simple layered layout for the graph: a node's layer is its distance from the start; unreachable nodes go last.</summary>
internal static class FlowLayout
{
    public const int Width = 150;
    public const int Height = 44;
    public const int GapX = 60;
    public const int GapY = 24;

    public sealed record Box(string Id, string Type, int X, int Y);

    public static IReadOnlyList<Box> Arrange(IReadOnlyList<NodeDraft> nodes, string? start)
    {
        var byId = nodes.GroupBy(n => n.Id).ToDictionary(g => g.Key, g => g.First());
        var layer = new Dictionary<string, int>();
        var queue = new Queue<string>();
        if (start is not null && byId.ContainsKey(start))
        {
            layer[start] = 0;
            queue.Enqueue(start);
        }

        while (queue.Count > 0)
        {
            var id = queue.Dequeue();
            foreach (var (_, target) in byId[id].Branches())
            {
                if (byId.ContainsKey(target) && layer.TryAdd(target, layer[id] + 1))
                {
                    queue.Enqueue(target);
                }
            }
        }

        var last = layer.Count == 0 ? 0 : layer.Values.Max() + 1;
        var rows = new Dictionary<int, int>();
        var boxes = new List<Box>();
        foreach (var n in nodes.OrderBy(n => layer.GetValueOrDefault(n.Id, last)))
        {
            var l = layer.GetValueOrDefault(n.Id, last);
            var row = rows.GetValueOrDefault(l);
            rows[l] = row + 1;
            boxes.Add(new Box(n.Id, n.Type, 10 + (l * (Width + GapX)), 10 + (row * (Height + GapY))));
        }

        return boxes;
    }
}

/// <summary>A node's counts as the editor shows them (<see cref="FlowStats"/>).</summary>
public sealed record NodeCount(long Reached, long Dropped, long HandedOff);

/// <summary>A bot message as the preview draws it.</summary>
public sealed record Bubble(string Kind, string? Header, string? Text, string? Footer, IReadOnlyList<string> Buttons, string? ListButton, IReadOnlyList<(string Title, string? Description)> Rows, bool Media)
{
    internal static Bubble Of(SendRequest m) => new(
        m.Type ?? "text",
        m.Header,
        m.Text,
        m.Footer,
        [.. (m.Buttons ?? []).Select(b => b.Title ?? "")],
        m.List?.Button,
        [.. (m.List?.Sections ?? []).SelectMany(s => s.Rows ?? []).Select(r => (r.Title ?? "", r.Description))],
        m.Media is not null);
}

/// <summary>A customer's message in the test console.</summary>
public sealed record TestLine(string Shown, string? Text, string? ReplyId, bool Media, bool Timeout);

/// <summary>What the bot did after input <see cref="AfterInput"/> (0: at the start): a message, or an event line.</summary>
public sealed record TestStep(int AfterInput, Bubble? Bubble, string? Event);

/// <summary>A test run as the console shows it; <see cref="Failure"/> when it could not run.</summary>
public sealed record TestView(string? Failure, string State, string? EndReason, string? NodeId, int InputsUsed, IReadOnlyList<string> Path, IReadOnlyList<TestStep> Steps);
