using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchboard.Features.Flows;

/// <summary>
/// A customer's message as the bot reads it: the id of a tapped reply button or list row, the text (body,
/// caption or tapped title), and whether it carried media.
/// </summary>
internal sealed partial record FlowInput(Guid MessageId, DateTimeOffset CreatedAt, string? ReplyId, string? Text, bool IsMedia)
{
    /// <summary>Reads the stored WhatsApp message object (webhook shape).</summary>
    public static FlowInput Parse(Guid messageId, DateTimeOffset createdAt, string type, string content)
    {
        try
        {
            using var json = JsonDocument.Parse(content);
            var m = json.RootElement;
            switch (type)
            {
                case "text":
                    return new(messageId, createdAt, null, Str(m, "text", "body"), false);
                case "interactive":
                    var interactive = m.TryGetProperty("interactive", out var i) ? i : default;
                    foreach (var kind in new[] { "button_reply", "list_reply" })
                    {
                        if (interactive.ValueKind == JsonValueKind.Object && interactive.TryGetProperty(kind, out var reply))
                        {
                            return new(messageId, createdAt, Str(reply, "id"), Str(reply, "title"), false);
                        }
                    }

                    return new(messageId, createdAt, null, null, false);
                case "button":
                    return new(messageId, createdAt, Str(m, "button", "payload"), Str(m, "button", "text"), false);
                case "image" or "video" or "audio" or "document" or "sticker":
                    return new(messageId, createdAt, null, Str(m, type, "caption"), true);
                default:
                    return new(messageId, createdAt, null, null, false);
            }
        }
        catch (JsonException)
        {
            return new(messageId, createdAt, null, null, false);
        }
    }

    private static string? Str(JsonElement e, params string[] path)
    {
        foreach (var name in path)
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e))
            {
                return null;
            }
        }

        return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    /// <summary>The text compared with keywords and titles: trimmed, case-folded.</summary>
    public string? Folded => Text?.Trim().ToUpperInvariant();

    /// <summary>Whether the text is one of the keywords (alone, or as its first words), punctuation and case aside.</summary>
    public bool Says(IEnumerable<string> keywords) =>
        Words(Text) is { Length: > 0 } said && keywords.Select(Words).Any(k => k.Length > 0 && (said == k || said.StartsWith(k + " ", StringComparison.Ordinal)));

    /// <summary>Letters and digits, upper-cased, one space between words.</summary>
    private static string Words(string? text) =>
        string.Join(' ', new string([.. (text ?? "").Select(c => char.IsLetterOrDigit(c) ? char.ToUpperInvariant(c) : ' ')]).Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>The branch a reply picks: a tapped id, a typed title, or the option's number.</summary>
    public FlowChoice? Picks(IReadOnlyList<FlowChoice> choices)
    {
        if (ReplyId is { } id && choices.FirstOrDefault(c => c.Id == id) is { } tapped)
        {
            return tapped;
        }

        if (Folded is not { Length: > 0 } said)
        {
            return null;
        }

        if (int.TryParse(said, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= choices.Count)
        {
            return choices[n - 1];
        }

        return choices.FirstOrDefault(c => c.Title?.Trim().ToUpperInvariant() == said);
    }

    /// <summary>The answer to a question, checked by its validation (null: any message); null when it does not fit.</summary>
    public string? Answer(string? validation, string? pattern)
    {
        var text = Text?.Trim();
        if (validation is null)
        {
            return text is { Length: > 0 } ? text : IsMedia ? "[media]" : null;
        }

        if (text is not { Length: > 0 and <= 500 })
        {
            return null;
        }

        return validation switch
        {
            "text" => text,
            "number" => decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? d.ToString(CultureInfo.InvariantCulture) : null,
            "email" => Email().IsMatch(text) ? text : null,
            "date" => DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
            "regex" when pattern is not null => Matches(text, pattern) ? text : null,
            _ => null,
        };
    }

    private static readonly string[] DateFormats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy", "dd.MM.yyyy", "d.M.yyyy"];

    private static bool Matches(string text, string pattern)
    {
        try
        {
            return Regex.IsMatch(text, "^(?:" + pattern + ")$", RegexOptions.None, TimeSpan.FromMilliseconds(100));
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex Email();
}
