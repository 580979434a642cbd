using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>The result of driving one endpoint: acknowledged POSTs per second, and messages per second (POSTs × messages per POST).</summary>
internal sealed record LoadResult(double RequestsPerSecond, double EventsPerSecond, Percentiles Ack, IReadOnlyDictionary<string, int> Errors, IReadOnlyList<(string Wamid, DateTimeOffset AckedAt)> Acked, int Measured);

/// <summary>
/// Workers posting signed webhooks (one text message each, or <c>--per-webhook</c> messages in one change
/// as Meta aggregates them; a fresh wamid every time, customers from a pool; to several nodes in turn) for the warm-up and then the measured period, with a progress line every second.
/// </summary>
internal static class WebhookLoad
{
    public static async Task<LoadResult> RunAsync(IReadOnlyList<Uri> endpoints, string appSecret, string phoneNumberId, Options options, string label)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        var secret = Encoding.UTF8.GetBytes(appSecret);
        var latencies = new ConcurrentBag<double>();
        var acked = new ConcurrentBag<(string, DateTimeOffset)>();
        var errors = new ConcurrentDictionary<string, int>();
        var total = 0;
        var clock = Stopwatch.StartNew();
        var measureFrom = options.Warmup;
        var stopAt = options.Warmup + options.Duration;

        async Task WorkerAsync(int worker)
        {
            for (var i = 0; clock.Elapsed < stopAt; i++)
            {
                var messages = Webhooks.Messages($"LOAD{worker:D3}", i + (worker * 1_000_003L), options.PerWebhook, options.Customers);
                var body = Encoding.UTF8.GetBytes(Webhooks.Batch(phoneNumberId, messages));
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoints[(worker + i) % endpoints.Count]) { Content = content };
                request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body)));
                var started = clock.Elapsed;
                string? error = null;
                try
                {
                    using var response = await http.SendAsync(request);
                    if (!response.IsSuccessStatusCode)
                    {
                        error = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    }
                }
                catch (HttpRequestException ex)
                {
                    error = ex.HttpRequestError.ToString();
                }
                catch (TaskCanceledException)
                {
                    error = "timeout";
                }

                var finished = clock.Elapsed;
                Interlocked.Increment(ref total);
                if (started < measureFrom)
                {
                    continue;
                }

                if (error is null)
                {
                    latencies.Add((finished - started).TotalMilliseconds);
                    var at = DateTimeOffset.UtcNow;
                    foreach (var message in messages)
                    {
                        acked.Add((message.Wamid, at));
                    }
                }
                else
                {
                    errors.AddOrUpdate(error, 1, (_, n) => n + 1);
                }
            }
        }

        var workers = Enumerable.Range(0, options.Concurrency).Select(w => Task.Run(() => WorkerAsync(w))).ToList();
        var last = 0;
        while (!Task.WhenAll(workers).IsCompleted)
        {
            await Task.WhenAny(Task.WhenAll(workers), Task.Delay(1000));
            var now = Volatile.Read(ref total);
            Console.Error.WriteLine($"  [{label}] {clock.Elapsed.TotalSeconds,5:F0} s  {now - last,7} req/s  {errors.Values.Sum(),6} errors{(clock.Elapsed < measureFrom ? "  (warm-up)" : "")}");
            last = now;
        }

        var measured = latencies.Count + errors.Values.Sum();
        return new LoadResult(latencies.Count / options.Duration.TotalSeconds, acked.Count / options.Duration.TotalSeconds, Percentiles.Of([.. latencies]), errors, [.. acked], measured);
    }
}
