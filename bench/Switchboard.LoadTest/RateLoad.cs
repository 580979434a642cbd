using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.LoadTest;

/// <summary>What an open-loop webhook load achieved between its start and its stop.</summary>
internal sealed record RateResult(int Scheduled, int Acked, int Skipped, double Seconds, Percentiles Ack, IReadOnlyDictionary<string, int> Errors)
{
    public double AckedPerSecond => Acked / Seconds;
}

/// <summary>
/// Signed webhooks at a fixed rate (open loop: request k is due at k / rate seconds, whether or not the
/// earlier ones have been answered), one text message each from a pool of customers. At most
/// <c>maxInFlight</c> requests are outstanding; a request due while that many are still waiting is
/// skipped and counted, so an overloaded server shows up as a lower achieved rate, not as a slower clock.
/// </summary>
internal sealed class RateLoad
{
    private readonly ConcurrentBag<double> latencies = [];
    private readonly ConcurrentDictionary<string, int> errors = new();
    private readonly Lock windowLock = new();
    private List<double> window = [];
    private int scheduled;
    private int acked;
    private int skipped;

    public int Acked => Volatile.Read(ref acked);

    /// <summary>Requests sent before this moment (the warm-up) are left out of the acknowledge percentiles.</summary>
    public DateTimeOffset MeasureFrom { get; init; } = DateTimeOffset.MinValue;

    public int ErrorCount => errors.Values.Sum();

    public int Skipped => Volatile.Read(ref skipped);

    /// <summary>The acknowledge latencies since the previous call (for a per-second view in the progress output).</summary>
    public Percentiles TakeWindow()
    {
        List<double> taken;
        lock (windowLock)
        {
            taken = window;
            window = [];
        }

        return Percentiles.Of(taken);
    }

    /// <summary>Every acknowledged wamid with the moment its 200 arrived (for processing lag).</summary>
    public ConcurrentBag<(string Wamid, DateTimeOffset AckedAt)> AckedWamids { get; } = [];

    /// <summary>Runs until <c>stop</c>, request k going to node k mod the number of endpoints: <c>rate</c> messages per second; with <c>perWebhook</c> above 1, each POST carries that many and POSTs go out at rate / perWebhook.</summary>
    public async Task<RateResult> RunAsync(IReadOnlyList<Uri> endpoints, string appSecret, string phoneNumberId, int rate, int customers, int maxInFlight, CancellationToken stop, int perWebhook = 1)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = maxInFlight, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        using var slots = new SemaphoreSlim(maxInFlight);
        var secret = Encoding.UTF8.GetBytes(appSecret);
        var pending = new ConcurrentDictionary<int, Task>();
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            var due = (int)(clock.Elapsed.TotalSeconds * rate / perWebhook);
            while (scheduled < due)
            {
                var k = scheduled++;
                if (!slots.Wait(0, CancellationToken.None))
                {
                    Interlocked.Increment(ref skipped);
                    continue;
                }

                pending[k] = SendAsync(k);
            }

            await Task.Delay(1, CancellationToken.None);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        await Task.WhenAll(pending.Values);
        return new RateResult(scheduled, acked, skipped, seconds, Percentiles.Of([.. latencies]), errors);

        async Task SendAsync(int k)
        {
            try
            {
                var messages = Webhooks.Messages("RATE", k, perWebhook, customers);
                var body = Encoding.UTF8.GetBytes(Webhooks.Batch(phoneNumberId, messages));
                var started = Stopwatch.GetTimestamp();
                var measured = DateTimeOffset.UtcNow >= MeasureFrom;
                var error = await Webhooks.PostAsync(http, endpoints[k % endpoints.Count], secret, body, CancellationToken.None);
                if (error is null)
                {
                    var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    if (measured)
                    {
                        latencies.Add(latency);
                    }
                    lock (windowLock)
                    {
                        window.Add(latency);
                    }

                    var at = DateTimeOffset.UtcNow;
                    foreach (var message in messages)
                    {
                        AckedWamids.Add((message.Wamid, at));
                    }

                    Interlocked.Add(ref acked, messages.Count);
                }
                else
                {
                    errors.AddOrUpdate(error, 1, (_, n) => n + 1);
                }
            }
            finally
            {
                slots.Release();
                pending.TryRemove(k, out _);
            }
        }
    }
}

/// <summary>Building and posting one signed webhook with a single inbound text message.</summary>
internal static class Webhooks
{
    /// <summary>The webhook JSON; <paramref name="text"/> must already be JSON-escaped.</summary>
    public static string Text(string phoneNumberId, string wamid, string customer, string name, string text) =>
        Batch(phoneNumberId, [(wamid, customer, name, text)]);

    /// <summary>
    /// Several inbound text messages in one change, as Meta aggregates them at high volume (up to 1,000
    /// updates per POST): one <c>contacts</c> entry per sender, the messages in order. Texts must already be JSON-escaped.
    /// </summary>
    public static string Batch(string phoneNumberId, IReadOnlyList<(string Wamid, string Customer, string Name, string Text)> messages)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var contacts = string.Join(",", messages.DistinctBy(m => m.Customer).Select(m => "{\"profile\":{\"name\":\"" + m.Name + "\"},\"wa_id\":\"" + m.Customer + "\"}"));
        var items = string.Join(",", messages.Select(m => "{\"from\":\"" + m.Customer + "\",\"id\":\"" + m.Wamid + "\",\"timestamp\":\"" + timestamp
            + "\",\"type\":\"text\",\"text\":{\"body\":\"" + m.Text + "\"}}"));
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"100000000000002\",\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\","
            + "\"metadata\":{\"display_phone_number\":\"15550100001\",\"phone_number_id\":\"" + phoneNumberId + "\"},"
            + "\"contacts\":[" + contacts + "],\"messages\":[" + items + "]},\"field\":\"messages\"}]}]}";
    }

    /// <summary><paramref name="count"/> customer messages for one POST (request <paramref name="k"/> of a run), customers from a pool.</summary>
    public static List<(string Wamid, string Customer, string Name, string Text)> Messages(string prefix, long k, int count, int customers)
    {
        var messages = new List<(string, string, string, string)>(count);
        for (var j = 0; j < count; j++)
        {
            var n = (k * count) + j;
            var customer = (16_505_550_000L + (n * 7919L % customers)).ToString(CultureInfo.InvariantCulture);
            messages.Add(($"wamid.{prefix}{n:D9}{Guid.NewGuid():N}", customer, "Customer " + customer[^4..], $"Hello, is my order {n} on its way? \\u00e7a va?"));
        }

        return messages;
    }

    /// <summary>Posts a signed body; null on a 2xx, otherwise the status code or the transport error.</summary>
    public static async Task<string?> PostAsync(HttpClient http, Uri endpoint, byte[] secret, byte[] body, CancellationToken ct)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body)));
        try
        {
            using var response = await http.SendAsync(request, ct);
            return response.IsSuccessStatusCode ? null : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException ex)
        {
            return ex.HttpRequestError.ToString();
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }
}
