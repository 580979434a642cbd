using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Assistant;

/// <summary>
/// Measures the built-in models on the labelled sets in <c>eval/assistant/</c> (ADR 0035): sentiment accuracy per
/// language, redaction recall (expected data left unredacted) and precision, and the local suggestions' latency.
/// </summary>
internal static partial class AssistantEvaluation
{
    public sealed record SentimentResult(int Total, int Correct, IReadOnlyDictionary<string, (int Total, int Correct)> PerLanguage, IReadOnlyList<string> Misses)
    {
        public double Accuracy => Total == 0 ? 0 : (double)Correct / Total;
    }

    public sealed record RedactionResult(int Expected, int Caught, int Found, int FoundCorrect, IReadOnlyList<string> Misses)
    {
        public double Recall => Expected == 0 ? 1 : (double)Caught / Expected;

        public double Precision => Found == 0 ? 1 : (double)FoundCorrect / Found;
    }

    public sealed record LatencyResult(int Runs, int Candidates, double P50Ms, double P99Ms);

    public static SentimentResult Sentiment(string path)
    {
        var perLanguage = new Dictionary<string, (int Total, int Correct)>(StringComparer.Ordinal);
        var misses = new List<string>();
        var (total, correct) = (0, 0);
        foreach (var line in Lines(path))
        {
            var parts = line.Split('\t');
            var expected = Enum.Parse<SentimentLabel>(parts[1], ignoreCase: true);
            var got = SentimentModel.Score(parts[2]);
            var ok = got.Label == expected;
            var (t, c) = perLanguage.GetValueOrDefault(parts[0]);
            perLanguage[parts[0]] = (t + 1, c + (ok ? 1 : 0));
            total++;
            correct += ok ? 1 : 0;
            if (!ok)
            {
                misses.Add($"{parts[0]} expected {parts[1]}, got {got.Label.ToString().ToLowerInvariant()} ({got.Score.ToString("0.00", CultureInfo.InvariantCulture)}): {parts[2]}");
            }
        }

        return new SentimentResult(total, correct, perLanguage, misses);
    }

    public static RedactionResult Redaction(string path)
    {
        var (expectedCount, caught, found, foundCorrect) = (0, 0, 0, 0);
        var misses = new List<string>();
        foreach (var line in Lines(path))
        {
            var parts = line.Split('\t');
            var (names, attributes) = Contact(parts[0]);
            var (text, expected) = Parse(parts[1]);
            var spans = PiiDetector.Find(text, names, attributes);
            foreach (var e in expected)
            {
                expectedCount++;
                var covered = Enumerable.Range(e.Start, e.Length).All(i => spans.Any(s => i >= s.Start && i < s.Start + s.Length));
                caught += covered ? 1 : 0;
                if (!covered)
                {
                    misses.Add($"missed {e.Type} \"{text.Substring(e.Start, e.Length)}\" in: {text}");
                }
            }

            foreach (var s in spans)
            {
                found++;
                var right = expected.Any(e => s.Start < e.Start + e.Length && e.Start < s.Start + s.Length);
                foundCorrect += right ? 1 : 0;
                if (!right)
                {
                    misses.Add($"false {s.Type} \"{text.Substring(s.Start, s.Length)}\" in: {text}");
                }
            }
        }

        return new RedactionResult(expectedCount, caught, found, foundCorrect, misses);
    }

    /// <summary>
    /// The local ranking as a request runs it: open <paramref name="pastAnswers"/> sealed answers, index them with
    /// <paramref name="canned"/> canned responses, rank for each query of the sentiment set.
    /// </summary>
    public static LatencyResult Latency(string sentimentPath, int canned = 200, int pastAnswers = PastAnswerSuggestionSource.Window, int rounds = 3)
    {
        var queries = Lines(sentimentPath).Select(l => l.Split('\t')[2]).ToList();
        var random = new Random(35);
        var key = new DataKey(1, SealedBox.NewKey());
        var tenant = Guid.CreateVersion7();
        var sealedAnswers = Enumerable.Range(0, pastAnswers).Select(i =>
        {
            var text = $"{queries[random.Next(queries.Count)]} — {queries[random.Next(queries.Count)]}";
            var context = new SealContext(tenant, "Messages", Guid.CreateVersion7(), "Text");
            return (context, Sealer.Seal(key, context, text));
        }).ToList();
        var cannedTexts = Enumerable.Range(0, canned).Select(i => new SuggestionCandidate($"Canned reply {i}: {queries[i % queries.Count]}", "canned", queries[(i * 7) % queries.Count])).ToList();

        var timings = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var query in queries)
            {
                var watch = Stopwatch.StartNew();
                var candidates = new List<SuggestionCandidate>(cannedTexts);
                foreach (var (context, sealedText) in sealedAnswers)
                {
                    var text = Sealer.OpenString(key, context, sealedText);
                    candidates.Add(new SuggestionCandidate(text, "past_answer", text));
                }

                SuggestionRanking.Rank(query, candidates);
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        timings.Sort();
        return new LatencyResult(timings.Count, canned + pastAnswers, Percentile(timings, 0.50), Percentile(timings, 0.99));
    }

    /// <summary>The text without its <c>[[TYPE:value]]</c> marks, and the marked spans.</summary>
    public static (string Text, List<PiiSpan> Expected) Parse(string marked)
    {
        var builder = new StringBuilder();
        var expected = new List<PiiSpan>();
        var at = 0;
        foreach (Match m in Mark().Matches(marked))
        {
            builder.Append(marked, at, m.Index - at);
            expected.Add(new PiiSpan(builder.Length, m.Groups[2].Length, m.Groups[1].Value));
            builder.Append(m.Groups[2].Value);
            at = m.Index + m.Length;
        }

        builder.Append(marked, at, marked.Length - at);
        return (builder.ToString(), expected);
    }

    public static (string[] Names, string[] Attributes) Contact(string field)
    {
        var (names, attributes) = (new List<string>(), new List<string>());
        foreach (var pair in field.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv.Length == 2)
            {
                (kv[0] == "name" ? names : attributes).Add(kv[1]);
            }
        }

        return ([.. names], [.. attributes]);
    }

    private static IEnumerable<string> Lines(string path) =>
        File.ReadLines(path, Encoding.UTF8).Where(l => l.Length > 0 && !l.StartsWith('#'));

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)], 3);

    [GeneratedRegex(@"\[\[([A-Z]+):(.+?)\]\]")]
    private static partial Regex Mark();
}

/// <summary><c>switchboard eval-ai [--dir eval/assistant] [--verbose]</c>: prints the assistant's measured quality (docs/ai.md).</summary>
public static class EvalAiCommand
{
    public const string Name = "eval-ai";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var dir = "eval/assistant";
        var verbose = false;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--dir" && i + 1 < args.Count)
            {
                dir = args[++i];
            }
            else if (args[i] == "--verbose")
            {
                verbose = true;
            }
            else
            {
                error.WriteLine("usage: eval-ai [--dir eval/assistant] [--verbose]");
                return 2;
            }
        }

        dir = RepositoryFolder.Resolve(dir);
        var (sentimentPath, piiPath) = (Path.Combine(dir, "sentiment.tsv"), Path.Combine(dir, "pii.tsv"));
        if (!File.Exists(sentimentPath) || !File.Exists(piiPath))
        {
            error.WriteLine($"eval-ai: {dir} holds no sentiment.tsv and pii.tsv");
            return 2;
        }

        var inv = CultureInfo.InvariantCulture;
        var sentiment = AssistantEvaluation.Sentiment(sentimentPath);
        output.WriteLine(string.Create(inv, $"sentiment accuracy: {sentiment.Accuracy:0.000} ({sentiment.Correct}/{sentiment.Total}), model {SentimentModel.Version}"));
        foreach (var (language, (total, correct)) in sentiment.PerLanguage.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(inv, $"  {language}: {(double)correct / total:0.000} ({correct}/{total})"));
        }

        var redaction = AssistantEvaluation.Redaction(piiPath);
        output.WriteLine(string.Create(inv, $"redaction recall: {redaction.Recall:0.000} ({redaction.Caught}/{redaction.Expected}), precision: {redaction.Precision:0.000} ({redaction.FoundCorrect}/{redaction.Found})"));

        var latency = AssistantEvaluation.Latency(sentimentPath);
        output.WriteLine(string.Create(inv, $"local suggestions: p50 {latency.P50Ms:0.000} ms, p99 {latency.P99Ms:0.000} ms ({latency.Runs} requests over {latency.Candidates} candidates, one thread)"));
        if (verbose)
        {
            foreach (var miss in sentiment.Misses.Concat(redaction.Misses))
            {
                output.WriteLine("  " + miss);
            }
        }

        return 0;
    }
}
