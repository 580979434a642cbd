namespace Switchboard.Features.Assistant;

/// <summary>
/// Okapi BM25 over a small set of candidate replies (ADR 0035): the query is the customer's last messages, each
/// document the words a candidate is found by (a canned response's shortcut and text, a past answer with the
/// customer message it answered). Folded words without the commonest function words of the three languages.
/// </summary>
internal sealed class Bm25Index
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private readonly List<int> lengths = [];
    private readonly Dictionary<string, List<(int Document, int Count)>> postings = new(StringComparer.Ordinal);
    private double totalLength;

    public int Count => lengths.Count;

    public void Add(string text)
    {
        var terms = new Dictionary<string, int>(StringComparer.Ordinal);
        var length = 0;
        foreach (var term in Terms(text))
        {
            terms[term] = terms.GetValueOrDefault(term) + 1;
            length++;
        }

        foreach (var (term, count) in terms)
        {
            if (!postings.TryGetValue(term, out var list))
            {
                postings[term] = list = [];
            }

            list.Add((lengths.Count, count));
        }

        lengths.Add(length);
        totalLength += length;
    }

    /// <summary>The documents' scores for the query, by position; 0 where no term matched.</summary>
    public double[] Score(string query)
    {
        var scores = new double[lengths.Count];
        if (lengths.Count == 0)
        {
            return scores;
        }

        var average = Math.Max(1, totalLength / lengths.Count);
        foreach (var term in Terms(query).Distinct(StringComparer.Ordinal))
        {
            if (!postings.TryGetValue(term, out var list))
            {
                continue;
            }

            var idf = Math.Log(1 + ((lengths.Count - list.Count + 0.5) / (list.Count + 0.5)));
            foreach (var (document, tf) in list)
            {
                scores[document] += idf * (tf * (K1 + 1)) / (tf + (K1 * (1 - B + (B * lengths[document] / average))));
            }
        }

        return scores;
    }

    public static IEnumerable<string> Terms(string text) =>
        SentimentModel.Tokens(text).Where(t => t.Length > 1 && char.IsLetterOrDigit(t[0]) && !StopWords.Contains(t)).Select(Stem);

    /// <summary>A light stem shared by the three languages: plural and a few verb endings, so "refunds" finds "refund".</summary>
    private static string Stem(string word)
    {
        foreach (var suffix in (string[])["ing", "es", "s"])
        {
            if (word.Length > suffix.Length + 3 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                return word[..^suffix.Length];
            }
        }

        return word;
    }

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "a", "an", "and", "or", "to", "of", "in", "on", "for", "is", "it", "my", "me", "i", "you", "your", "we", "our", "this", "that",
        "be", "are", "was", "with", "at", "can", "do", "have", "has", "hi", "hello", "please", "thanks", "im", "its", "will", "would",
        "el", "la", "los", "las", "un", "una", "y", "o", "de", "del", "en", "por", "para", "es", "mi", "me", "te", "que", "con", "lo", "se",
        "hola", "su", "al", "como", "pero", "ya", "muy", "favor", "gracias",
        "o", "os", "as", "um", "uma", "e", "do", "da", "dos", "das", "no", "na", "em", "meu", "minha", "voce", "voces", "com", "ola", "obrigado",
        "obrigada", "pra",
    };
}
