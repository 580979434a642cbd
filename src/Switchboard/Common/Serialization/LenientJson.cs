using System.Globalization;
using System.Text.Json;

namespace Switchboard.Common.Serialization;

/// <summary>Lenient readers for Meta's JSON: fields may be missing, and numbers sometimes come as strings.</summary>
internal static class LenientJson
{
    public static JsonElement? Get(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static string? String(this JsonElement element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        { ValueKind: JsonValueKind.Number } n => n.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    public static bool Bool(this JsonElement element, string name) => element.Get(name) switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.String } s => string.Equals(s.GetString(), "true", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    public static long? Long(this JsonElement element, string name) =>
        long.TryParse(element.String(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static decimal? Decimal(this JsonElement element, string name) =>
        decimal.TryParse(element.String(name), NumberStyles.Number, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static IEnumerable<JsonElement> Array(this JsonElement element, string name) =>
        element.Get(name) is { ValueKind: JsonValueKind.Array } array ? array.EnumerateArray() : [];

    /// <summary>
    /// Replaces, in place, every <c>\uXXXX</c> escape of a lone UTF-16 surrogate with <c>\ufffd</c> (the
    /// same length), so that every string of the document can be read. Such escapes are valid JSON and Meta
    /// sends text escaped, but .NET refuses to turn them into a string. Returns whether anything changed;
    /// a body without any <c>\u</c> escape is only searched once.
    /// </summary>
    public static bool RepairLoneSurrogates(Span<byte> json)
    {
        if (json.IndexOf("\\u"u8) < 0)
        {
            return false;
        }

        var repaired = false;
        for (var i = 0; i < json.Length - 1; i++)
        {
            if (json[i] != (byte)'\\')
            {
                continue;
            }

            if (json[i + 1] != (byte)'u' || !TryHex(json, i + 2, out var unit))
            {
                i++; // an escaped character: never the start of another escape
                continue;
            }

            if (unit is >= 0xD800 and <= 0xDBFF && json.Length >= i + 12 && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u'
                && TryHex(json, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
            {
                i += 11; // a well-formed pair
            }
            else if (unit is >= 0xD800 and <= 0xDFFF)
            {
                "fffd"u8.CopyTo(json[(i + 2)..]);
                repaired = true;
                i += 5;
            }
            else
            {
                i += 5;
            }
        }

        return repaired;
    }

    private static bool TryHex(ReadOnlySpan<byte> json, int start, out int value)
    {
        value = 0;
        if (json.Length < start + 4)
        {
            return false;
        }

        for (var i = start; i < start + 4; i++)
        {
            var digit = HexDigit(json[i]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexDigit(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    /// <summary>
    /// A value fit for a text column: at most <paramref name="maxLength"/> characters, never ending in half
    /// of a surrogate pair, and without NUL (which PostgreSQL's text refuses). Allocates only when it must.
    /// </summary>
    public static string? Storable(string? value, int maxLength)
    {
        if (value is null)
        {
            return null;
        }

        if (value.Length > maxLength)
        {
            value = value[..(char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength)];
        }

        return value.Contains('\0', StringComparison.Ordinal) ? value.Replace('\0', '\uFFFD') : value;
    }

    /// <summary>Whether the member is absent, null or a string: ids and senders of any other kind are malformed.</summary>
    public static bool IsStringOrAbsent(this JsonElement element, string name) =>
        !element.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.String or JsonValueKind.Null;


    /// <summary>Meta's unix-seconds timestamps (as a string or a number).</summary>
    public static DateTimeOffset? UnixTime(this JsonElement element, string name) =>
        element.Long(name) is { } seconds && seconds > 0 && seconds < 253402300799 ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
}
