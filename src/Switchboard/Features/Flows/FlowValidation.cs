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

    public static readonly string[] TriggerTypes = ["new_conversation", "keyword", "outside_hours", "no_agent"];

    public static readonly string[] NodeTypes = ["text", "media", "buttons", "list", "ask", "condition", "set_attribute", "add_label", "route", "handoff", "wait", "end"];

    public static readonly string[] Validations = ["text", "number", "email", "date", "regex"];

    public static readonly string[] ConditionKinds = ["attribute", "label", "business_hours", "time_of_day", "channel"];

    public static readonly string[] MediaTypes = ["image", "video", "audio", "document"];

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex IdPattern();

    public static Dictionary<string, string[]> Validate(FlowDocument flow, FlowReferences refs)
    {
        var errors = new Errors();
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
            ValidateNode(nodes[i], $"nodes[{i}]", ids, refs, errors);
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
        IEnumerable<string?> all = [node.Next, node.Then, node.Else, node.Timeout, .. (node.Buttons ?? []).Select(b => b.Next), .. (node.Rows ?? []).Select(r => r.Next)];
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

    private static void ValidateTrigger(FlowTrigger? trigger, FlowReferences refs, Errors errors)
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

    private static void ValidateNode(FlowNode node, string at, HashSet<string> ids, FlowReferences refs, Errors errors)
    {
        if (node.Type is not { } type || !NodeTypes.Contains(type))
        {
            errors.Add($"{at}.type", $"Required: one of {string.Join(", ", NodeTypes)}.");
            return;
        }

        void Target(string field, string? target, bool required)
        {
            if (target is null)
            {
                if (required)
                {
                    errors.Add($"{at}.{field}", "This branch needs a target node.");
                }
            }
            else if (!ids.Contains(target))
            {
                errors.Add($"{at}.{field}", $"No node has the id '{target}'.");
            }
        }

        switch (type)
        {
            case "text":
                errors.Text($"{at}.text", node.Text, 1, SendValidation.MaxTextLength);
                Target("next", node.Next, false);
                break;
            case "media":
                if (node.MediaType is not { } kind || !MediaTypes.Contains(kind))
                {
                    errors.Add($"{at}.mediaType", $"Required: one of {string.Join(", ", MediaTypes)}.");
                }

                errors.Text($"{at}.text", node.Text, 0, SendValidation.MaxCaptionLength, required: false);
                if (node.Media is not { Data.Length: > 0, MimeType.Length: > 0 })
                {
                    errors.Add($"{at}.media", "Required: base64 data and its MIME type (and fileName for a document).");
                }

                Target("next", node.Next, false);
                break;
            case "buttons":
                errors.Text($"{at}.text", node.Text, 1, SendValidation.MaxInteractiveBodyLength);
                errors.Text($"{at}.header", node.Header, 0, SendValidation.MaxHeaderLength, required: false);
                errors.Text($"{at}.footer", node.Footer, 0, SendValidation.MaxFooterLength, required: false);
                Choices(node.Buttons, "buttons", SendValidation.MaxButtons, SendValidation.MaxButtonTitleLength, 0);
                Timeout();
                break;
            case "list":
                errors.Text($"{at}.text", node.Text, 1, SendValidation.MaxInteractiveBodyLength);
                errors.Text($"{at}.header", node.Header, 0, SendValidation.MaxHeaderLength, required: false);
                errors.Text($"{at}.footer", node.Footer, 0, SendValidation.MaxFooterLength, required: false);
                errors.Text($"{at}.button", node.Button, 1, SendValidation.MaxListButtonLength);
                Choices(node.Rows, "rows", SendValidation.MaxListRows, SendValidation.MaxRowTitleLength, SendValidation.MaxRowDescriptionLength);
                Timeout();
                break;
            case "ask":
                errors.Text($"{at}.text", node.Text, 1, SendValidation.MaxTextLength);
                errors.Text($"{at}.error", node.Error, 0, SendValidation.MaxTextLength, required: false);
                if (node.Validation is { } validation && !Validations.Contains(validation))
                {
                    errors.Add($"{at}.validation", $"One of {string.Join(", ", Validations)}.");
                }

                if (node.Validation == "regex" && !IsRegex(node.Pattern))
                {
                    errors.Add($"{at}.pattern", "A regex validation needs a valid pattern of at most 500 characters.");
                }

                Attribute(node.Attribute, required: false);
                Target("next", node.Next, false);
                Timeout();
                break;
            case "condition":
                ValidateCondition(node.Condition, $"{at}.condition", refs, errors);
                Target("then", node.Then, true);
                Target("else", node.Else, true);
                break;
            case "set_attribute":
                Attribute(node.Attribute, required: true);
                errors.Text($"{at}.value", node.Value, 0, 500, required: false);
                Target("next", node.Next, false);
                break;
            case "add_label":
                if (node.Label is not { } label || !refs.Labels.Contains(label))
                {
                    errors.Add($"{at}.label", "Required: the name of one of this tenant's labels.");
                }

                Target("next", node.Next, false);
                break;
            case "route":
                if (node.TeamId is not { } team || !refs.Teams.Contains(team))
                {
                    errors.Add($"{at}.teamId", "Required: a team of this tenant.");
                }

                errors.Text($"{at}.text", node.Text, 0, SendValidation.MaxTextLength, required: false);
                break;
            case "handoff":
                errors.Text($"{at}.text", node.Text, 0, SendValidation.MaxTextLength, required: false);
                break;
            case "wait":
                if (node.Seconds is not (>= 1 and <= MaxWaitSeconds))
                {
                    errors.Add($"{at}.seconds", $"Required: 1 to {MaxWaitSeconds} seconds.");
                }

                Target("next", node.Next, false);
                break;
        }

        void Choices(IReadOnlyList<FlowChoice>? choices, string field, int max, int maxTitle, int maxDescription)
        {
            if (choices is null || choices.Count == 0 || choices.Count > max || choices.Any(c => c is null))
            {
                errors.Add($"{at}.{field}", $"Between 1 and {max} {field}.");
                return;
            }

            for (var i = 0; i < choices.Count; i++)
            {
                errors.Text($"{at}.{field}[{i}].id", choices[i].Id, 1, MaxIdLength);
                errors.Text($"{at}.{field}[{i}].title", choices[i].Title, 1, maxTitle);
                if (maxDescription > 0)
                {
                    errors.Text($"{at}.{field}[{i}].description", choices[i].Description, 0, maxDescription, required: false);
                }

                Target($"{field}[{i}].next", choices[i].Next, true);
            }

            if (choices.Select(c => c.Id).Distinct().Count() != choices.Count)
            {
                errors.Add($"{at}.{field}", "Ids must be unique.");
            }

            if (choices.Select(c => c.Title?.Trim().ToUpperInvariant()).Distinct().Count() != choices.Count)
            {
                errors.Add($"{at}.{field}", "Titles must be unique.");
            }
        }

        void Timeout()
        {
            if (node.TimeoutSeconds is { } seconds && seconds is < 1 or > MaxWaitSeconds)
            {
                errors.Add($"{at}.timeoutSeconds", $"1 to {MaxWaitSeconds} seconds.");
            }

            if (node.Timeout is not null && node.TimeoutSeconds is null)
            {
                errors.Add($"{at}.timeout", "A timeout branch needs timeoutSeconds.");
            }

            Target("timeout", node.Timeout, false);
        }

        void Attribute(string? key, bool required)
        {
            if (key is null ? required : !refs.Attributes.Contains(key))
            {
                errors.Add($"{at}.attribute", "The key of one of this tenant's contact attributes.");
            }
        }
    }

    private static void ValidateCondition(FlowCondition? condition, string at, FlowReferences refs, Errors errors)
    {
        if (condition?.Kind is not { } kind || !ConditionKinds.Contains(kind))
        {
            errors.Add($"{at}.kind", $"Required: one of {string.Join(", ", ConditionKinds)}.");
            return;
        }

        switch (kind)
        {
            case "attribute" when condition.Attribute is not { } key || !refs.Attributes.Contains(key):
                errors.Add($"{at}.attribute", "The key of one of this tenant's contact attributes.");
                break;
            case "label" when condition.Label is not { } label || !refs.Labels.Contains(label):
                errors.Add($"{at}.label", "The name of one of this tenant's labels.");
                break;
            case "business_hours" when condition.CalendarId is not { } calendar || !refs.Calendars.Contains(calendar):
                errors.Add($"{at}.calendarId", "A calendar of this tenant.");
                break;
            case "time_of_day":
                if (!IsTime(condition.From))
                {
                    errors.Add($"{at}.from", "Required: HH:mm.");
                }

                if (!IsTime(condition.To))
                {
                    errors.Add($"{at}.to", "Required: HH:mm.");
                }

                if (condition.TimeZone is { } zone && FlowClock.Zone(zone) is null)
                {
                    errors.Add($"{at}.timeZone", "Unknown time zone (an IANA name such as Europe/Berlin).");
                }

                break;
            case "channel" when condition.ChannelId is not { } channel || !refs.Channels.Contains(channel):
                errors.Add($"{at}.channelId", "A number of this tenant.");
                break;
        }
    }

    internal static bool IsTime(string? value) => TimeOnly.TryParseExact(value, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static bool IsRegex(string? pattern)
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

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

        public int Count => errors.Count;

        public Dictionary<string, string[]> Result => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        public void Text(string field, string? value, int min, int max, bool required = true)
        {
            var length = value?.Length ?? 0;
            if ((value is null && required) || (value is not null && (length < min || length > max)))
            {
                Add(field, min > 0 ? $"Required, {min} to {max} characters." : $"At most {max} characters.");
            }
        }
    }
}

/// <summary>Time-of-day checks in a named zone.</summary>
internal static class FlowClock
{
    public static TimeZoneInfo? Zone(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>Whether the local time is within from–to (a range past midnight wraps).</summary>
    public static bool Within(DateTimeOffset at, string from, string to, string? zone)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone(zone) ?? TimeZoneInfo.Utc).DateTime);
        var start = TimeOnly.ParseExact(from, "HH:mm", CultureInfo.InvariantCulture);
        var end = TimeOnly.ParseExact(to, "HH:mm", CultureInfo.InvariantCulture);
        return start <= end ? local >= start && local < end : local >= start || local < end;
    }
}
