using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>The result of driving one endpoint with signed webhooks.</summary>
internal sealed record LoadResult(double RequestsPerSecond, Percentiles Ack, IReadOnlyDictionary<string, int> Errors, IReadOnlyList<(string Wamid, DateTimeOffset AckedAt)> Acked, int Measured);

/// <summary>
/// Workers posting signed webhooks (one text message each, a fresh wamid every time, customers from a
/// pool) for the warm-up and then the measured period, with a progress line every second.
/// </summary>
internal static class WebhookLoad
{
    public static async Task<LoadResult> RunAsync(Uri endpoint, string appSecret, string phoneNumberId, Options options, string label)
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
                var wamid = $"wamid.LOAD{worker:D3}{i:D7}{Guid.NewGuid():N}";
                var customer = (16_505_550_000L + ((worker * 7919L) + i) % options.Customers).ToString(CultureInfo.InvariantCulture);
                var body = Encoding.UTF8.GetBytes(Payload(phoneNumberId, wamid, customer, i));
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
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
                    acked.Add((wamid, DateTimeOffset.UtcNow));
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
        return new LoadResult(latencies.Count / options.Duration.TotalSeconds, Percentiles.Of([.. latencies]), errors, [.. acked], measured);
    }

    private static string Payload(string phoneNumberId, string wamid, string customer, int i) =>
        "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"100000000000002\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\","
        + "\"metadata\":{\"display_phone_number\":\"15550100001\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
        + "\"contacts\":[{\"profile\":{\"name\":\"Customer " + customer[^4..] + "\"},\"wa_id\":\"" + customer + "\"}],"
        + "\"messages\":[{\"from\":\"" + customer + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)
        + "\",\"type\":\"text\",\"text\":{\"body\":\"Hello, is my order " + i.ToString(CultureInfo.InvariantCulture) + " on its way? \\u00e7a va?\"}}]},\"field\":\"messages\"}]}]}";
}
