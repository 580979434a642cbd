namespace Switchboard.Features.Assistant;

/// <summary>One line of a conversation as the assistant reads it: who wrote it and what.</summary>
internal sealed record TranscriptLine(string Speaker, string Text, DateTimeOffset At);

/// <summary>
/// The built-in extractive summary (ADR 0035): the customer's first request, then the sentences that weigh most
/// in the conversation (their words' frequency across it, favouring the latest), in their order, each with its speaker.
/// </summary>
internal static class ExtractiveSummarizer
{
    public const int MaxSentences = 4;

    public static string Summarize(IReadOnlyList<TranscriptLine> lines)
    {
        var sentences = new List<(int Order, string Speaker, string Text)>();
        foreach (var line in lines)
        {
            foreach (var sentence in Split(line.Text))
            {
                sentences.Add((sentences.Count, line.Speaker, sentence));
            }
        }

        if (sentences.Count == 0)
        {
            return "";
        }

        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in sentences.SelectMany(s => Bm25Index.Terms(s.Text)))
        {
            frequency[term] = frequency.GetValueOrDefault(term) + 1;
        }

        var firstCustomer = sentences.FirstOrDefault(s => s.Speaker == "Customer");
        var chosen = new HashSet<int>();
        if (firstCustomer.Text is not null)
        {
            chosen.Add(firstCustomer.Order);
        }

        var ranked = sentences
            .Select(s => (s.Order, Weight: Bm25Index.Terms(s.Text).Distinct(StringComparer.Ordinal).Sum(t => frequency[t]) / Math.Sqrt(1 + Bm25Index.Terms(s.Text).Count())
                * (1 + (0.5 * s.Order / sentences.Count))))
            .OrderByDescending(s => s.Weight);
        foreach (var (order, _) in ranked)
        {
            if (chosen.Count >= MaxSentences)
            {
                break;
            }

            chosen.Add(order);
        }

        return string.Join("\n", sentences.Where(s => chosen.Contains(s.Order)).Select(s => $"{s.Speaker}: {Clip(s.Text)}"));
    }

    private static IEnumerable<string> Split(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is '.' or '?' or '!' or '\n' && (i + 1 == text.Length || char.IsWhiteSpace(text[i + 1])))
            {
                var sentence = text[start..(i + 1)].Trim();
                if (sentence.Length > 1)
                {
                    yield return sentence;
                }

                start = i + 1;
            }
        }

        var rest = text[start..].Trim();
        if (rest.Length > 1)
        {
            yield return rest;
        }
    }

    private static string Clip(string text) => text.Length <= 280 ? text : text[..279] + "…";
}
