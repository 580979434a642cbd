using System.Globalization;
using System.Text;

namespace Switchboard.Features.Assistant;

/// <summary>A text's sentiment: its label and a score from -1 (most negative) to +1 (most positive).</summary>
internal readonly record struct Sentiment(SentimentLabel Label, double Score)
{
    public static Sentiment Neutral => new(SentimentLabel.Neutral, 0);

    public static SentimentLabel LabelOf(double score) => score >= SentimentModel.Threshold ? SentimentLabel.Positive
        : score <= -SentimentModel.Threshold ? SentimentLabel.Negative
        : SentimentLabel.Neutral;
}

internal enum SentimentLabel
{
    Negative,
    Neutral,
    Positive,
}

/// <summary>
/// The built-in sentiment model (ADR 0035): a lexicon over English, Spanish and Portuguese with negation (up to three
/// words on, within the clause), intensifiers and softeners, contrast (the clause after "but" weighs more), emoji and exclamation marks.
/// Runs in microseconds and never leaves the process.
/// </summary>
internal static class SentimentModel
{
    public const string Version = "lexicon-1";

    public const double Threshold = 0.2;

    public static Sentiment Score(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Sentiment.Neutral;
        }

        var tokens = Tokens(text);
        var valences = new List<double>();
        var contrastAt = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (SentimentLexicon.Contrasts.Contains(token) && !(token == "mas" && IsSpanishMore(text)))
            {
                contrastAt = valences.Count;
                continue;
            }

            if ((!SentimentLexicon.Words.TryGetValue(token, out var valence) && !SentimentLexicon.Emoji.TryGetValue(token, out valence))
                || IsGreeting(tokens, i) || IsRequest(tokens, i))
            {
                continue;
            }

            for (var back = 1; back <= 3 && i - back >= 0; back++)
            {
                var before = tokens[i - back];

                // A clause break or another sentiment word ends the reach of a negator or intensifier further back.
                if (before == "." || (back > 1 && SentimentLexicon.Words.ContainsKey(before)))
                {
                    break;
                }

                if (back == 1 || back == 2)
                {
                    valence *= SentimentLexicon.Intensifiers.Contains(before) && before != "nada" ? 1.4
                        : SentimentLexicon.Softeners.Contains(before) ? 0.6 : 1;
                }

                if (SentimentLexicon.Negators.Contains(before))
                {
                    valence = -valence * 0.75;
                    break;
                }

                if (SentimentLexicon.Contrasts.Contains(before))
                {
                    break;
                }
            }

            valences.Add(valence);
        }

        if (contrastAt > 0)
        {
            for (var i = 0; i < valences.Count; i++)
            {
                valences[i] *= i < contrastAt ? 0.5 : 1.5;
            }
        }

        var sum = valences.Sum();
        if (sum != 0)
        {
            var exclamations = Math.Min(text.Count(c => c == '!'), 3);
            sum += Math.Sign(sum) * 0.3 * exclamations;
        }

        var score = Math.Round(sum / Math.Sqrt((sum * sum) + 8), 3);
        return new Sentiment(Sentiment.LabelOf(score), score);
    }

    /// <summary>Folded words, emoji as their own tokens, "n't" spelled as "not", and punctuation kept as a clause break ".".</summary>
    internal static List<string> Tokens(string text)
    {
        var folded = PiiDetector.Fold(text).Replace("n't", " not", StringComparison.Ordinal).Replace("n’t", " not", StringComparison.Ordinal);
        var tokens = new List<string>();
        var word = new StringBuilder();
        void Flush()
        {
            if (word.Length > 0)
            {
                tokens.Add(word.ToString());
                word.Clear();
            }
        }

        foreach (var rune in folded.EnumerateRunes())
        {
            if (Rune.IsLetter(rune) || Rune.IsDigit(rune))
            {
                word.Append(rune.ToString());
                continue;
            }

            Flush();
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.OtherSymbol)
            {
                tokens.Add(rune.ToString());
            }
            else if (rune.Value is '.' or '?' or ';' or ',' or '!' or '¡' or '¿' or ':')
            {
                tokens.Add(".");
            }
        }

        Flush();
        return tokens;
    }

    /// <summary>"Good morning", "buenas tardes", "boa noite": a greeting, not praise.</summary>
    private static bool IsGreeting(List<string> tokens, int i) =>
        i + 1 < tokens.Count && SentimentLexicon.GreetingWords.Contains(tokens[i]) && SentimentLexicon.TimesOfDay.Contains(tokens[i + 1]);

    /// <summary>"I'd like", "would like": a request, not liking.</summary>
    private static bool IsRequest(List<string> tokens, int i) =>
        tokens[i] == "like" && i > 0 && tokens[i - 1] is "d" or "would" or "should";

    /// <summary>"más" (Spanish "more") folds to "mas" (Portuguese "but"): tell them apart by the accent in the original.</summary>
    private static bool IsSpanishMore(string text) => text.Contains("más", StringComparison.OrdinalIgnoreCase) && !text.Contains(" mas ", StringComparison.OrdinalIgnoreCase);
}
