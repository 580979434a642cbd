using System.Globalization;
using System.Text.RegularExpressions;
using Switchboard.Features.Outbound;

namespace Switchboard.Features.Flows;

/// <summary>The tenant's names a flow may refer to.</summary>
internal sealed record FlowReferences(
    IReadOnlySet<Guid> Channels, IReadOnlySet<Guid> Teams, IReadOnlySet<Guid> Calendars, IReadOnlySet<string> Attributes, IReadOnlySet<string> Labels);

/// <summary>
/// Refuses a flow that could not run or that WhatsApp would refuse (ADR 0029): field errors named after the
/// document (<c>nodes[2].buttons[0].title</c>). Interactive limits are those of <see cref="SendValidation"/>.
/// </summary>
internal static partial class FlowValidation
{
    public const int MaxNodes = 200;
    public const int MaxNameLength = 128;
    public const int MaxIdLength = 64;
    public const int MaxKeywords = 20;
    public const int MaxKeywordLength = 64;
    public const int MaxWaitSeconds = 7 * 24 * 3600;

    /// <summary>The share of the question's terms the best article must hold when a knowledge node names none.</summary>
    public const double DefaultMinMatch = 0.5;

    public static readonly string[] TriggerTypes = ["new_conversation", "keyword", "outside_hours", "no_agent"];

    public static readonly string[] NodeTypes = ["text", "media", "buttons", "list", "ask", "condition", "set_attribute", "add_label", "route", "handoff", "wait", "knowledge", "end"];

    public static readonly string[] Validations = ["text", "number", "email", "date", "regex"];

    public static readonly string[] ConditionKinds = ["attribute", "label", "business_hours", "time_of_day", "channel"];

    public static readonly string[] MediaTypes = ["image", "video", "audio", "document"];

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();

    public static Dictionary<string, string[]> Validate(FlowDocument flow, FlowReferences refs)
    {
        var errors = new FlowFieldErrors();
        if ((flow.Name?.Trim().Length ?? 0) is 0 or > MaxNameLength)
        {
            errors.Add("name", $"Required, at most {MaxNameLength} characters.");
        }

        ValidateTrigger(flow.Trigger, refs, errors);
        for (var i = 0; i < (flow.ChannelIds?.Count ?? 0); i++)
        {
            if (!refs.Channels.Contains(flow.ChannelIds![i]))
            {
                errors.Add($"channelIds[{i}]", "No such number in this tenant.");
            }
        }

        var handoff = flow.HandoffKeywords ?? [];
        if (handoff.Count > MaxKeywords || handoff.Any(k => (k?.Trim().Length ?? 0) is 0 or > MaxKeywordLength))
        {
            errors.Add("handoffKeywords", $"At most {MaxKeywords} keywords of 1 to {MaxKeywordLength} characters.");
        }

        var nodes = flow.Nodes ?? [];
        if (nodes.Count is 0 or > MaxNodes || nodes.Any(n => n is null))
        {
            errors.Add("nodes", $"Between 1 and {MaxNodes} nodes.");
            return errors.Result;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Id is not { } id || !IdPattern().IsMatch(id))
            {
                errors.Add($"nodes[{i}].id", "Required: 1 to 64 letters, digits, '_', '-' or '.'.");
            }
            else if (!ids.Add(id))
            {
                errors.Add($"nodes[{i}].id", $"Another node already has the id '{id}'.");
            }
        }

        if (flow.Start is { } start && !ids.Contains(start))
        {
            errors.Add("start", "No node has this id.");
        }

        for (var i = 0; i < nodes.Count; i++)
        {
            FlowNodeValidation.Validate(nodes[i], $"nodes[{i}]", ids, refs, errors);
        }

        if (errors.Count == 0 && flow.StartNode is { } first)
        {
            var reached = Reachable(flow, first);
            for (var i = 0; i < nodes.Count; i++)
            {
                if (!reached.Contains(nodes[i].Id!))
                {
                    errors.Add($"nodes[{i}]", $"Node '{nodes[i].Id}' cannot be reached from the start node.");
                }
            }
        }

        return errors.Result;
    }

    /// <summary>The node ids a node may lead to (branches, next, timeout), without nulls.</summary>
    public static IEnumerable<string> Targets(FlowNode node)
    {
        IEnumerable<string?> all = [node.Next, node.Then, node.Else, node.Timeout, node.NoAnswer, .. (node.Buttons ?? []).Select(b => b.Next), .. (node.Rows ?? []).Select(r => r.Next)];
        return all.OfType<string>();
    }

    private static HashSet<string> Reachable(FlowDocument flow, string start)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { start };
        var todo = new Stack<string>([start]);
        while (todo.TryPop(out var id))
        {
            if (flow.Node(id) is not { } node)
            {
                continue;
            }

            foreach (var target in Targets(node).Where(seen.Add))
            {
                todo.Push(target);
            }
        }

        return seen;
    }

    private static void ValidateTrigger(FlowTrigger? trigger, FlowReferences refs, FlowFieldErrors errors)
    {
        if (trigger?.Type is not { } type || !TriggerTypes.Contains(type))
        {
            errors.Add("trigger.type", $"Required: one of {string.Join(", ", TriggerTypes)}.");
            return;
        }

        var keywords = trigger.Keywords ?? [];
        if (type == "keyword" && (keywords.Count is 0 or > MaxKeywords || keywords.Any(k => (k?.Trim().Length ?? 0) is 0 or > MaxKeywordLength)))
        {
            errors.Add("trigger.keywords", $"A keyword trigger needs 1 to {MaxKeywords} keywords of 1 to {MaxKeywordLength} characters.");
        }

        if (type == "outside_hours" && (trigger.CalendarId is not { } calendar || !refs.Calendars.Contains(calendar)))
        {
            errors.Add("trigger.calendarId", "An outside-hours trigger needs a calendar of this tenant.");
        }

        if (trigger.TeamId is { } team && !refs.Teams.Contains(team))
        {
            errors.Add("trigger.teamId", "No such team in this tenant.");
        }
    }

    internal static bool IsTime(string? value) => TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    internal static bool IsRegex(string? pattern)
    {
        if (pattern is not { Length: > 0 and <= 500 })
        {
            return false;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromMilliseconds(100));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
