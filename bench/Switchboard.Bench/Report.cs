using System.Runtime.InteropServices;
using System.Text;

namespace Switchboard.Bench;

/// <summary>The Markdown reports, ready to paste into docs/benchmarks.md.</summary>
internal static class Report
{
    public static string Ingest(IngestResults results)
    {
        var (options, sb, ceiling) = (results.Options, results.Switchboard, results.Ceiling);
        var md = new Markdown();
        Header(md, "Webhook ingest", results.StartedAt, options);
        md.Line($"- **Load:** {options.Concurrency} concurrent senders, {options.WarmupSeconds} s warm-up then {options.DurationSeconds} s measured; "
            + $"{Plural(options.Batch, "text message")} per webhook from a pool of {options.Customers:N0} customers, every message with a fresh wamid, signed like Meta signs. "
            + "\"Ceiling\" is a bare ASP.NET Core endpoint in the load generator's process that reads the body, checks the signature in constant time and answers 200.");
        md.Line();
        md.Table(
            ["endpoint", "requests/s (200)", "events/s (200)", "ack p50", "p95", "p99", "max", "200s", "errors"],
            [.. new[] { (Name: "Switchboard", Run: sb), (Name: "ceiling (no storage)", Run: ceiling) }.Select(r => new[]
            {
                r.Name, $"{r.Run.RequestsPerSecond:N0}", $"{r.Run.EventsPerSecond:N0}",
                Ms(r.Run.AckLatencyMs.P50), Ms(r.Run.AckLatencyMs.P95), Ms(r.Run.AckLatencyMs.P99), Ms(r.Run.AckLatencyMs.Max),
                $"{r.Run.OkRequests:N0}", $"{r.Run.FailedRequests:N0}",
            })]);
        md.Line();
        var ratio = ceiling.RequestsPerSecond > 0 ? sb.RequestsPerSecond / ceiling.RequestsPerSecond : double.NaN;
        md.Line($"Switchboard / ceiling: **{ratio:P1}** of the ceiling's requests/s.");
        md.Line();
        var errors = new[] { sb, ceiling }.SelectMany(r => r.Errors.Select(e => new[] { r.Label, e.Key, $"{e.Value:N0}" })).ToList();
        if (errors.Count == 0)
        {
            md.Line("Errors in the measured period: none.");
        }
        else
        {
            md.Line("Errors in the measured period:");
            md.Line();
            md.Table(["endpoint", "error", "count"], errors);
        }

        md.Line();
        md.Line("### Processing lag (200 → message row stored)");
        md.Line();
        if (results.Lag is not { } lag)
        {
            md.Line("Not measured (no `--db`).");
        }
        else
        {
            md.Line($"From the load generator's clock at each 200 to the row's `\"Messages\".\"CreatedAt\"` (the server's clock, same machine), for every message acknowledged in the measured period; polled until all were stored or {lag.Timeout.TotalSeconds:F0} s passed.");
            md.Line();
            md.Table(
                ["messages acknowledged", "stored", $"missing after {lag.Timeout.TotalSeconds:F0} s", "lag p50", "p95", "p99", "max"],
                [[$"{lag.Acknowledged:N0}", $"{lag.LagMs.Count:N0}", $"{lag.Missing:N0}", Ms(lag.LagMs.P50), Ms(lag.LagMs.P95), Ms(lag.LagMs.P99), Ms(lag.LagMs.Max)]]);
        }

        return md.ToString();
    }

    public static string Send(SendResults results)
    {
        var (options, posting) = (results.Options, results.Posting);
        var md = new Markdown();
        Header(md, "Sending replies", results.StartedAt, options);
        md.Line($"- **Load:** {options.Numbers} numbers × {options.RepliesPerNumber:N0} replies = {options.Numbers * options.RepliesPerNumber:N0} text replies, each in its own open conversation, all posted at once ({options.Concurrency} in flight). "
            + $"A number's rate is measured from the database (replies with a wamid, sampled every {SendSampler.Interval.TotalMilliseconds:F0} ms) between 10 % and 90 % of its accepted replies.");
        md.Line();
        md.Line($"Queued (202): {posting.Queued:N0} in {posting.Took.TotalSeconds:F1} s ({posting.Queued / posting.Took.TotalSeconds:N0} replies/s); "
            + (posting.Errors.Count == 0 ? "no reply refused." : "refused: " + string.Join(", ", posting.Errors.Select(e => $"{e.Key} × {e.Value:N0}")) + "."));
        md.Line(results.CompletedAfter is { } done
            ? $"Every queued reply finished after **{done.TotalSeconds:F1} s** ({results.Accepted:N0} accepted by Meta: {results.Accepted / done.TotalSeconds:N0} replies/s overall)."
            : $"**Not every queued reply finished** within {SendBenchmark.WaitLimit.TotalSeconds:F0} s of the last being queued ({results.Accepted:N0} of {posting.Queued:N0} accepted).");
        if (results.CompletedAfter is { } end && posting.Took > end * 0.1)
        {
            md.Line($"Note: the sender was already working while replies were still being queued ({posting.Took.TotalSeconds:F1} s of the {end.TotalSeconds:F1} s), so the rates below are also bounded by how fast the API queued them.");
        }

        md.Line();
        md.Table(
            ["number (phone number id)", "accepted", "failed/unknown", "rate 10–90 % (msg/s)", "of configured", "done after"],
            [.. results.Numbers.Select(n => new[]
            {
                n.Channel.PhoneNumberId, $"{n.Accepted:N0}", $"{n.FailedOrUnknown:N0}", Rate(n.RatePerSecond),
                double.IsFinite(n.RatePerSecond) ? $"{n.RatePerSecond / n.Channel.MessagesPerSecond:P0} of {n.Channel.MessagesPerSecond}/s" : "–",
                n.DoneAfter is { } at ? $"{at.TotalSeconds:F1} s" : "–",
            })]);
        md.Line();
        var spread = Spread.Of(results.Numbers.Select(n => n.RatePerSecond));
        var configured = string.Join(" / ", results.Numbers.Select(n => n.Channel.MessagesPerSecond).Distinct());
        md.Line($"**Per-number rate:** min {Rate(spread.Min)} / mean {Rate(spread.Mean)} / max {Rate(spread.Max)} msg/s against the configured {configured}/s.");
        md.Line();
        md.Line("Final statuses: " + string.Join(", ", results.Statuses.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value:N0}")) + ".");
        md.Line(results.FailureCodes.Count == 0
            ? "Failed replies: none."
            : "Failed replies by error code (130429 = Meta's throughput limit): " + string.Join(", ", results.FailureCodes.OrderByDescending(f => f.Value).Select(f => $"{f.Key} × {f.Value:N0}")) + ".");
        return md.ToString();
    }

    private static void Header(Markdown md, string title, DateTimeOffset startedAt, BenchOptions options)
    {
        md.Line($"## {title} ({startedAt:yyyy-MM-dd HH:mm} UTC)");
        md.Line();
        md.Line($"- **Machine:** {Environment.ProcessorCount} logical processors, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024):F1} GiB memory, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}; load generator and server on the same machine.");
        md.Line($"- **Target:** {options.Url}" + (options.Db is null ? "" : $" on {(options.DbProvider == DbProvider.Sqlite ? "SQLite" : "PostgreSQL")}"));
        md.Line($"- **Command:** `dotnet run --project bench/Switchboard.Bench -c Release -- {options.Describe()}` (plus `--url`, `--operator-key`{(options.Db is null ? "" : ", `--db`")})");
    }

    private static string Ms(double ms) => double.IsNaN(ms) ? "–" : Math.Abs(ms) < 100 ? $"{ms:F1} ms" : $"{ms:N0} ms";

    private static string Rate(double perSecond) => double.IsFinite(perSecond) ? $"{perSecond:F1}" : "–";

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n:N0} {noun}s";

    /// <summary>A small Markdown writer: lines and pipe tables, numbers formatted invariantly.</summary>
    private sealed class Markdown
    {
        private readonly StringBuilder text = new();

        public void Line(string line = "") => text.Append(line).Append('\n');

        public void Table(string[] headers, IReadOnlyList<string[]> rows)
        {
            Line("| " + string.Join(" | ", headers) + " |");
            Line("|" + string.Concat(headers.Select((_, i) => i == 0 ? "---|" : "--:|")));
            foreach (var row in rows)
            {
                Line("| " + string.Join(" | ", row) + " |");
            }
        }

        public override string ToString() => text.ToString();
    }
}
