using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.LoadTest;

internal static partial class RoutingLoad
{
    private sealed class Run(HttpClient http, Provisioned tenant, double compression, int handleMinutes, CancellationToken stop)
    {
        private readonly ConcurrentDictionary<string, DateTimeOffset> ackedAt = new();
        private readonly ConcurrentDictionary<Guid, bool> seen = new();
        private readonly ConcurrentBag<double> latencies = [];
        private readonly byte[] secret = Encoding.UTF8.GetBytes(tenant.AppSecret);
        private volatile bool churning = true;
        private int acked;
        private int errors;
        private int assigned;
        private int resolved;

        public int Acked => Volatile.Read(ref acked);

        public int Errors => Volatile.Read(ref errors);

        public int Assigned => Volatile.Read(ref assigned);

        public int Resolved => Volatile.Read(ref resolved);

        public IReadOnlyCollection<double> Latencies => latencies;

        public void StopChurn() => churning = false;

        /// <summary>Poisson arrivals, one new customer each, to a number (and so a team) chosen uniformly.</summary>
        public async Task ArrivalsAsync(int total, int realSeconds, int numbers, Stopwatch clock)
        {
            // Weight 1 for 50 simulated minutes and BurstFactor for 10: the rate per real second at each moment.
            var baseRate = total / (realSeconds * (50.0 + (10.0 * BurstFactor)) / 60.0);
            var inFlight = new List<Task>();
            var next = 0.0;
            var random = new Random(17);
            var lastReport = 0;
            for (var n = 0; n < total; n++)
            {
                var minute = next / realSeconds * 60;
                var rate = minute is >= 20 and < 30 ? baseRate * BurstFactor : baseRate;
                next += -Math.Log(1 - random.NextDouble()) / rate;
                var wait = TimeSpan.FromSeconds(next) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                var customer = (16_500_000_000L + n).ToString(CultureInfo.InvariantCulture);
                var phone = tenant.PhoneNumberIds[random.Next(numbers)];
                inFlight.Add(PostAsync(phone, customer, n));
                if (inFlight.Count > 256)
                {
                    inFlight.RemoveAll(t => t.IsCompleted);
                }

                if ((int)clock.Elapsed.TotalSeconds >= lastReport + 10)
                {
                    lastReport = (int)clock.Elapsed.TotalSeconds;
                    Console.Error.WriteLine($"  [arrivals] {clock.Elapsed.TotalSeconds,4:F0} s  sim minute {clock.Elapsed.TotalSeconds / realSeconds * 60,4:F1}  sent {n + 1}  assigned {Assigned}  resolved {Resolved}");
                }
            }

            await Task.WhenAll(inFlight);
        }

        private async Task PostAsync(string phone, string customer, int n)
        {
            var body = Encoding.UTF8.GetBytes(Webhooks.Text(phone, $"wamid.ROUTE{n:D7}{Guid.NewGuid():N}", customer, "Customer " + customer[^4..], "Hello, I have a question"));
            var error = await Webhooks.PostAsync(http, new Uri(http.BaseAddress!, $"/webhooks/whatsapp/{tenant.TenantId}"), secret, body, stop);
            if (error is null)
            {
                ackedAt[customer] = DateTimeOffset.UtcNow;
                Interlocked.Increment(ref acked);
            }
            else
            {
                Interlocked.Increment(ref errors);
            }
        }

        /// <summary>The agents' side: one event stream; each first assignment is timed and resolved after a handling time.</summary>
        public async Task FollowEventsAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenant.TenantId}/events");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
            var random = new Random(23);
            while (!stop.IsCancellationRequested && await reader.ReadLineAsync(stop) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var e = JsonNode.Parse(line[6..])!;
                if (e["type"]?.GetValue<string>() != "conversation.changed" || e["detail"]?.GetValue<string>() != "assigned")
                {
                    continue;
                }

                var conversationId = e["conversationId"]!.GetValue<Guid>();
                if (!seen.TryAdd(conversationId, true))
                {
                    continue;
                }

                var at = DateTimeOffset.UtcNow;
                var handling = TimeSpan.FromMinutes(-Math.Log(1 - random.NextDouble()) * handleMinutes / compression);
                _ = Task.Run(() => HandleAsync(conversationId, at, handling), CancellationToken.None);
            }
        }

        private async Task HandleAsync(Guid conversationId, DateTimeOffset assignedAt, TimeSpan handling)
        {
            try
            {
                var conversation = await http.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.TenantId}/conversations/{conversationId}", stop);
                var waId = conversation!["contact"]!["waId"]!.GetValue<string>();
                if (ackedAt.TryGetValue(waId, out var acknowledged))
                {
                    latencies.Add(Math.Max(0, (assignedAt - acknowledged).TotalMilliseconds));
                }

                Interlocked.Increment(ref assigned);
                await Task.Delay(handling, stop);
                using var resolve = await http.PostAsync($"/api/v1/tenants/{tenant.TenantId}/conversations/{conversationId}/resolve", null, stop);
                if (resolve.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref resolved);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
        }

        /// <summary>Every 10 simulated minutes, some online agents go away and those away come back online.</summary>
        public async Task ChurnAsync(List<Guid> users, int percent, CancellationToken ct)
        {
            var random = new Random(31);
            var away = new List<Guid>();
            var period = TimeSpan.FromMinutes(10 / compression);
            while (churning && !ct.IsCancellationRequested)
            {
                await Task.Delay(period, ct);
                if (!churning)
                {
                    break;
                }

                foreach (var user in away)
                {
                    await PutAsync(user, "online");
                }

                away = [.. users.OrderBy(_ => random.Next()).Take(users.Count * percent / 100)];
                foreach (var user in away)
                {
                    await PutAsync(user, "away");
                }
            }

            foreach (var user in away)
            {
                await PutAsync(user, "online");
            }
        }

        private async Task PutAsync(Guid user, string status)
        {
            using var response = await http.PutAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/agents/{user}/availability", new { status }, CancellationToken.None);
            response.EnsureSuccessStatusCode();
        }
    }
}
