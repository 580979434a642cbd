using Switchboard.Features.Outbound;

namespace Switchboard.Features.Flows;

/// <summary>
/// The checks of one node of a flow (ADR 0029): its kind's fields, WhatsApp's interactive limits (those of
/// <see cref="SendValidation"/>), branch targets and the tenant's names it refers to.
/// </summary>
internal static class FlowNodeValidation
{
    public static void Validate(FlowNode node, string at, HashSet<string> ids, FlowReferences refs, FlowFieldErrors errors)
    {
        if (node.Type is not { } type || !FlowValidation.NodeTypes.Contains(type))
        {
            errors.Add($"{at}.type", $"Required: one of {string.Join(", ", FlowValidation.NodeTypes)}.");
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
                if (node.MediaType is not { } kind || !FlowValidation.MediaTypes.Contains(kind))
                {
                    errors.Add($"{at}.mediaType", $"Required: one of {string.Join(", ", FlowValidation.MediaTypes)}.");
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
                if (node.Validation is { } validation && !FlowValidation.Validations.Contains(validation))
                {
                    errors.Add($"{at}.validation", $"One of {string.Join(", ", FlowValidation.Validations)}.");
                }

                if (node.Validation == "regex" && !FlowValidation.IsRegex(node.Pattern))
                {
                    errors.Add($"{at}.pattern", "A regex validation needs a valid pattern of at most 500 characters.");
                }

                Attribute(node.Attribute, required: false);
                Target("next", node.Next, false);
                Timeout();
                break;
            case "condition":
                Condition(node.Condition, $"{at}.condition", refs, errors);
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
            case "knowledge":
                if (node.MinMatch is { } minMatch && minMatch is not (> 0 and <= 1))
                {
                    errors.Add($"{at}.minMatch", "More than 0 and at most 1 (the share of the question's words the article must hold).");
                }

                Target("next", node.Next, false);
                Target("noAnswer", node.NoAnswer, true);
                break;
            case "wait":
                if (node.Seconds is not (>= 1 and <= FlowValidation.MaxWaitSeconds))
                {
                    errors.Add($"{at}.seconds", $"Required: 1 to {FlowValidation.MaxWaitSeconds} seconds.");
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
                errors.Text($"{at}.{field}[{i}].id", choices[i].Id, 1, FlowValidation.MaxIdLength);
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
            if (node.TimeoutSeconds is { } seconds && seconds is < 1 or > FlowValidation.MaxWaitSeconds)
            {
                errors.Add($"{at}.timeoutSeconds", $"1 to {FlowValidation.MaxWaitSeconds} seconds.");
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

    private static void Condition(FlowCondition? condition, string at, FlowReferences refs, FlowFieldErrors errors)
    {
        if (condition?.Kind is not { } kind || !FlowValidation.ConditionKinds.Contains(kind))
        {
            errors.Add($"{at}.kind", $"Required: one of {string.Join(", ", FlowValidation.ConditionKinds)}.");
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
                if (!FlowValidation.IsTime(condition.From))
                {
                    errors.Add($"{at}.from", "Required: HH:mm.");
                }

                if (!FlowValidation.IsTime(condition.To))
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
}
