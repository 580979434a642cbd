namespace Switchboard.Features.Knowledge;

/// <summary>The passage of an article around the question's words, as plain text.</summary>
internal static class KnowledgeSnippet
{
    private const int Window = 28;

    public static string Of(string markdown, IReadOnlyList<string> terms)
    {
        var text = KnowledgeMarkdown.ToPlainText(markdown).ReplaceLineEndings(" ");
        var words = new List<(int Start, int End, bool Hit)>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && !char.IsWhiteSpace(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var hit = KnowledgeText.TermsOf(text[start..i]).Any(t => terms.Contains(t, StringComparer.Ordinal));
                words.Add((start, i, hit));
                start = -1;
            }
        }

        if (words.Count == 0)
        {
            return "";
        }

        // The window of words with the most hits; the earliest one on a tie.
        var best = 0;
        var bestHits = -1;
        var hits = 0;
        for (var i = 0; i < words.Count; i++)
        {
            hits += words[i].Hit ? 1 : 0;
            if (i >= Window)
            {
                hits -= words[i - Window].Hit ? 1 : 0;
            }

            var first = Math.Max(0, i - Window + 1);
            if (hits > bestHits)
            {
                bestHits = hits;
                best = first;
            }
        }

        var last = Math.Min(words.Count, best + Window) - 1;
        var snippet = text[words[best].Start..words[last].End];
        return (best > 0 ? "…" : "") + snippet + (last < words.Count - 1 ? "…" : "");
    }
}
