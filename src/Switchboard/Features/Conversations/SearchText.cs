using System.Globalization;
using System.Text;

namespace Switchboard.Features.Conversations;

/// <summary>
/// How message text becomes search tokens and how a hit is shown: lower case, diacritics folded
/// ("José" matches "jose"), split at anything that is neither letter nor digit.
/// </summary>
internal static class SearchText
{
    public const int MinTokenLength = 2;
    public const int MaxTokenLength = 40;
    public const int MaxTokensPerMessage = 256;

    /// <summary>The distinct tokens of a text, in order of first appearance.</summary>
    public static List<string> Tokenize(string? text)
    {
        var tokens = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return tokens;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var (folded, _) = Fold(text);
        foreach (var token in folded.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var t = token.Length > MaxTokenLength ? token[..MaxTokenLength] : token;
            if (t.Length >= MinTokenLength && seen.Add(t))
            {
                tokens.Add(t);
                if (tokens.Count == MaxTokensPerMessage)
                {
                    break;
                }
            }
        }

        return tokens;
    }

    /// <summary>
    /// The folded text (lower case, no diacritics, separators as spaces) and, for each of its characters,
    /// the index of the character of <paramref name="text"/> it came from.
    /// </summary>
    public static (string Folded, int[] Origin) Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        var origin = new List<int>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = char.ToLowerInvariant(text[i]);
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }

            // The app runs with invariant globalization, where string.Normalize cannot decompose: a table folds Latin letters.
            folded.Append(Accents.TryGetValue(c, out var plain) ? plain : char.IsLetterOrDigit(c) ? c : ' ');
            origin.Add(i);
        }

        return (folded.ToString(), [.. origin]);
    }

    private static readonly Dictionary<char, char> Accents = BuildAccents();

    private static Dictionary<char, char> BuildAccents()
    {
        var map = new Dictionary<char, char>();
        foreach (var (letters, plain) in new[]
        {
            ("àáâãäåāăą", 'a'), ("çćĉċč", 'c'), ("ďđ", 'd'), ("èéêëēĕėęě", 'e'), ("ĝğġģ", 'g'), ("ĥħ", 'h'),
            ("ìíîïĩīĭįı", 'i'), ("ĵ", 'j'), ("ķ", 'k'), ("ĺļľŀł", 'l'), ("ñńņňŉ", 'n'), ("òóôõöøōŏő", 'o'),
            ("ŕŗř", 'r'), ("śŝşšș", 's'), ("ţťŧț", 't'), ("ùúûüũūŭůűų", 'u'), ("ŵ", 'w'), ("ýÿŷ", 'y'), ("źżž", 'z'),
        })
        {
            foreach (var letter in letters)
            {
                map[letter] = plain;
            }
        }

        return map;
    }

    /// <summary>A piece of text around the first hit, at most about <paramref name="width"/> characters.</summary>
    public static string Snippet(string text, IReadOnlyList<string> tokens, int width = 140)
    {
        var first = Hits(text, tokens).Select(h => h.Start).DefaultIfEmpty(0).Min();
        if (text.Length <= width)
        {
            return text;
        }

        var start = Math.Max(0, first - (width / 3));
        var end = Math.Min(text.Length, start + width);
        start = Math.Max(0, Math.Min(start, end - width));
        return (start > 0 ? "…" : "") + text[start..end].Trim() + (end < text.Length ? "…" : "");
    }

    /// <summary>Where the tokens occur in <paramref name="text"/> (whole-word prefix matches, as the index finds them), in order, not overlapping.</summary>
    public static List<(int Start, int Length)> Hits(string text, IReadOnlyList<string> tokens)
    {
        var (folded, origin) = Fold(text);
        var hits = new List<(int Start, int Length)>();
        foreach (var token in tokens.Where(t => t.Length > 0))
        {
            var at = 0;
            while ((at = folded.IndexOf(token, at, StringComparison.Ordinal)) >= 0)
            {
                var wordStart = at == 0 || folded[at - 1] == ' ';
                var endIndex = at + token.Length;
                var wordEnd = endIndex == folded.Length || folded[endIndex] == ' ';
                if (wordStart && (wordEnd || token.Length == MaxTokenLength))
                {
                    var start = origin[at];
                    var end = origin[endIndex - 1] + 1;
                    hits.Add((start, end - start));
                }

                at = endIndex;
            }
        }

        hits.Sort((a, b) => a.Start.CompareTo(b.Start));
        var merged = new List<(int Start, int Length)>();
        foreach (var hit in hits)
        {
            if (merged.Count > 0 && hit.Start < merged[^1].Start + merged[^1].Length)
            {
                continue;
            }

            merged.Add(hit);
        }

        return merged;
    }

    /// <summary>The text cut into plain and highlighted pieces, for the dashboard.</summary>
    public static List<(string Text, bool Hit)> Highlight(string text, IReadOnlyList<string> tokens)
    {
        var pieces = new List<(string, bool)>();
        var at = 0;
        foreach (var (start, length) in Hits(text, tokens))
        {
            if (start > at)
            {
                pieces.Add((text[at..start], false));
            }

            pieces.Add((text.Substring(start, length), true));
            at = start + length;
        }

        if (at < text.Length)
        {
            pieces.Add((text[at..], false));
        }

        return pieces;
    }
}
