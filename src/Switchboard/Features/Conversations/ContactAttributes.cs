using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Features.Conversations;

/// <summary>Checks attribute values against the tenant's definitions and keeps them as one JSON object.</summary>
internal static partial class ContactAttributes
{
    public const int MaxTextLength = 500;

    [GeneratedRegex("^[a-z][a-z0-9_]{0,39}$")]
    public static partial Regex KeyPattern();

    /// <summary>The stored values with <paramref name="changes"/> applied (null removes a value), or field errors named <c>attributes.&lt;key&gt;</c>.</summary>
    public static JsonObject Apply(
        string? storedJson, IReadOnlyDictionary<string, JsonElement> changes, IReadOnlyDictionary<string, ContactAttributeDefinition> definitions, Dictionary<string, string[]> errors)
    {
        var values = Parse(storedJson);
        foreach (var (key, value) in changes)
        {
            var field = $"attributes.{key}";
            if (!definitions.TryGetValue(key, out var definition))
            {
                errors[field] = ["No attribute with this key is defined for this tenant."];
                continue;
            }

            if (value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            {
                values.Remove(key);
                continue;
            }

            if (Check(definition, value) is { } error)
            {
                errors[field] = [error];
                continue;
            }

            values[key] = JsonNode.Parse(value.GetRawText());
        }

        return values;
    }

    /// <summary>The values whose attribute is still defined, in the definitions' order.</summary>
    public static Dictionary<string, object?> Shown(string? storedJson, IEnumerable<ContactAttributeDefinition> definitions)
    {
        var values = Parse(storedJson);
        var shown = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var definition in definitions)
        {
            if (values[definition.Key] is JsonValue value)
            {
                shown[definition.Key] = value.TryGetValue<decimal>(out var number) ? number : value.ToString();
            }
        }

        return shown;
    }

    public static JsonObject Parse(string? storedJson) =>
        storedJson is null ? [] : JsonNode.Parse(storedJson) as JsonObject ?? [];

    private static string? Check(ContactAttributeDefinition definition, JsonElement value) => definition.Type switch
    {
        ContactAttributeType.Text => value.ValueKind != JsonValueKind.String ? "Must be text."
            : value.GetString()!.Length > MaxTextLength ? $"At most {MaxTextLength} characters." : null,
        ContactAttributeType.Number => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out _) ? null : "Must be a number.",
        ContactAttributeType.Date => value.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _) ? null : "Must be a date (YYYY-MM-DD).",
        ContactAttributeType.List => value.ValueKind == JsonValueKind.String && definition.OptionList.Contains(value.GetString(), StringComparer.Ordinal)
            ? null : $"Must be one of: {string.Join(", ", definition.OptionList)}.",
        _ => "Unknown attribute type.",
    };
}
