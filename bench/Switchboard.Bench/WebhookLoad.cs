using System.Diagnostics;
using System.Net;

namespace Switchboard.Bench;

internal sealed record AckedEvent(string Wamid, DateTimeOffset AckedAt);

/// <summary>What one endpoint took during the measured period (after the warm-up).</summary>
internal sealed record LoadResult(
    string Label,
    TimeSpan Measured,
    int Batch,
    int OkRequests,
    int FailedRequests,
    Percentiles AckLatencyMs,
    IReadOnlyDictionary<string, int> Errors,
    IReadOnlyList<AckedEvent> MeasuredAcks,
    int AckedEventsInAll)
{
    public double RequestsPerSecond => OkRequests / Measured.TotalSeconds;

    public double EventsPerSecond => (double)OkRequests * Batch / Measured.TotalSeconds;
}

/// <summary>
/// Drives one webhook endpoint: <c>concurrency</c> workers each post signed webhooks back to back (fresh
/// wamids, random customers from the pool, realistic texts) through the one shared client, for the warm-up
/// and then the measured period, with a progress line every second. A request belongs to the measured period
/// when its answer arrives in it; latency is from just before sending to the answer's headers and body.
/// </summary>
internal static class WebhookLoad
{
    /// <summary>One request; <c>Wamids</c> only when they are kept (the lag needs them, the ceiling does not).</summary>
    private readonly record struct Sample(long CompletedAt, double LatencyMs, DateTimeOffset AckedAt, string? Error, string[]? Wamids);

    public static async Task<LoadResult> RunAsync(
        string label, Uri endpoint, HttpClient http, Webhooks webhooks, Customer[] customers, BenchOptions options, bool keepWamids, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var measuredFrom = started + Ticks(options.Warmup);
        var stopAt = measuredFrom + Ticks(options.Duration);
        var completed = 0;
        var errors = 0;

        async Task<List<Sample>> WorkerAsync(int worker)
        {
            var random = new Random(worker);
            var samples = new List<Sample>(capacity: 4096);
            for (long sequence = 0; Stopwatch.GetTimestamp() < stopAt && !ct.IsCancellationRequested; sequence++)
            {
                var now = DateTimeOffset.UtcNow;
                var messages = new InboundText[options.Batch];
                for (var m = 0; m < messages.Length; m++)
                {
                    messages[m] = new InboundText(webhooks.NewWamid(worker, (sequence * options.Batch) + m), customers[random.Next(customers.Length)], Webhooks.SomeText(random), now);
                }

                var webhook = webhooks.Create(messages);
                using var request = SwitchboardApi.WebhookRequest(endpoint, webhook);
                var sent = Stopwatch.GetTimestamp();
                var error = await SendAsync(http, request, ct);
                var answered = Stopwatch.GetTimestamp();
                samples.Add(new Sample(answered, Stopwatch.GetElapsedTime(sent, answered).TotalMilliseconds, DateTimeOffset.UtcNow, error, keepWamids ? webhook.Wamids : null));
                Interlocked.Increment(ref completed);
                if (error is not null)
                {
                    Interlocked.Increment(ref errors);
                }
            }

            return samples;
        }

        var workers = Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(w => Task.Run(() => WorkerAsync(w), ct)));
        await ReportProgressAsync(label, workers, started, measuredFrom, () => (Volatile.Read(ref completed), Volatile.Read(ref errors)));
        var all = (await workers).SelectMany(s => s).ToList();
        ct.ThrowIfCancellationRequested();

        var measured = all.Where(s => s.CompletedAt >= measuredFrom && s.CompletedAt < stopAt).ToList();
        var ok = measured.Where(s => s.Error is null).ToList();
        return new LoadResult(
            label,
            options.Duration,
            options.Batch,
            ok.Count,
            measured.Count - ok.Count,
            Percentiles.Of(ok.Select(s => s.LatencyMs)),
            measured.Where(s => s.Error is not null).CountBy(s => s.Error!).OrderByDescending(e => e.Value).ToDictionary(),
            [.. ok.SelectMany(s => (s.Wamids ?? []).Select(w => new AckedEvent(w, s.AckedAt)))],
            all.Count(s => s.Error is null) * options.Batch);
    }

    /// <summary>Null for a 200, else the status code or the kind of failure.</summary>
    private static async Task<string?> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken ct)
    {
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException ex)
        {
            return $"{nameof(HttpRequestException)} ({ex.HttpRequestError})";
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"timeout ({http.Timeout.TotalSeconds:F0} s)";
        }
    }

    private static async Task ReportProgressAsync(string label, Task workers, long started, long measuredFrom, Func<(int Completed, int Errors)> counters)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var (last, intervalStart) = (0, started);
        while (await Task.WhenAny(workers, timer.WaitForNextTickAsync().AsTask()) != workers)
        {
            var (completed, errors) = counters();
            var now = Stopwatch.GetTimestamp();
            var phase = intervalStart < measuredFrom ? "warm-up " : "measured";
            var perSecond = (completed - last) / Stopwatch.GetElapsedTime(intervalStart, now).TotalSeconds;
            Progress.Line($"  [{label}] {Stopwatch.GetElapsedTime(started, now).TotalSeconds,5:F1} s  {phase}  {perSecond,7:N0} req/s  {errors,6:N0} errors so far");
            (last, intervalStart) = (completed, now);
        }
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);
}
