using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.LoadTest;

var options = Options.Parse(args);
if (options is null || (string.IsNullOrEmpty(options.OperatorKey) && !(options.Mode == "inbox" && options.DataDir is not null)))
{
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

using var api = new HttpClient { BaseAddress = new Uri(options.Urls[0]), Timeout = TimeSpan.FromSeconds(60) };
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"### {options.Mode} — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {options.DbProvider}");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine.Describe()}. Options: `{options}`.");
report.AppendLine();

if (options.Mode == "ingest")
{
    var tenant = await Provisioned.LoadOrCreateAsync(api, options.OperatorKey, 1, options.TenantFile);
    LoadResult? ceiling = null;
    if (!options.SkipCeiling)
    {
        await using var server = await CeilingServer.StartAsync(tenant.AppSecret);
        Console.Error.WriteLine("Ceiling: a bare signature-checking endpoint");
        ceiling = await WebhookLoad.RunAsync([server.Endpoint], tenant.AppSecret, tenant.PhoneNumberIds[0], options, "ceiling");
    }

    Console.Error.WriteLine("Switchboard: durable acknowledge");
    List<Uri> endpoints = [.. options.Urls.Select(url => new Uri($"{url}/webhooks/whatsapp/{tenant.TenantId}"))];
    var result = options.FixedRate is { } rate
        ? await FixedRateAsync(endpoints, tenant.AppSecret, tenant.PhoneNumberIds[0], rate)
        : await WebhookLoad.RunAsync(endpoints, tenant.AppSecret, tenant.PhoneNumberIds[0], options, "switchboard");
    report.AppendLine(CultureInfo.InvariantCulture, $"Messages per webhook POST: {options.PerWebhook}. Nodes: {endpoints.Count}.");
    report.AppendLine();
    report.AppendLine("| endpoint | events/s | POSTs/s | ack p50 ms | p95 | p99 | max | errors |");
    report.AppendLine("|---|---|---|---|---|---|---|---|");
    void Line(string name, LoadResult r) => report.AppendLine(CultureInfo.InvariantCulture,
        $"| {name} | {r.EventsPerSecond:F0} | {r.RequestsPerSecond:F0} | {r.Ack.P50:F1} | {r.Ack.P95:F1} | {r.Ack.P99:F1} | {r.Ack.Max:F1} | {(r.Errors.Count == 0 ? "0" : string.Join(", ", r.Errors.Select(e => $"{e.Key}: {e.Value}")))} |");
    Line("Switchboard", result);
    if (ceiling is not null)
    {
        Line("bare endpoint (ceiling)", ceiling);
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Switchboard reaches {result.RequestsPerSecond / ceiling.RequestsPerSecond:P0} of the ceiling's throughput.");
    }

    if (options.Db is not null)
    {
        var (lag, missing, processingRate) = await Lag.MeasureAsync(options, tenant.TenantId, result.Acked);
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Processing lag (acknowledged → message stored), {lag.Count} messages: p50 {lag.P50:F0} ms, p95 {lag.P95:F0} ms, p99 {lag.P99:F0} ms, max {lag.Max:F0} ms; not stored after 300 s: {missing}. Processing rate while the load ran: {processingRate:F0} messages/s.");
    }
}
else if (options.Mode == "routing")
{
    await RoutingLoad.RunAsync(api, options, report);
}
else if (options.Mode == "inbox")
{
    var target = await InboxLatency.TargetAsync(api, options);
    var result = await InboxLatency.RunAsync(api, target, options);
    InboxLatency.Report(report, result, options);
}
else
{
    await SendLoadAsync();
}

Console.WriteLine(report.ToString());
return 0;

// Open loop at a fixed rate for the warm-up and the measured period; only the measured period counts.
async Task<LoadResult> FixedRateAsync(IReadOnlyList<Uri> endpoints, string appSecret, string phoneNumberId, int rate)
{
    var started = DateTimeOffset.UtcNow;
    var measureFrom = started + options.Warmup;
    var load = new RateLoad { MeasureFrom = measureFrom };
    using var stop = new CancellationTokenSource(options.Warmup + options.Duration);
    var run = load.RunAsync(endpoints, appSecret, phoneNumberId, rate, options.Customers, options.Concurrency, stop.Token, options.PerWebhook);
    var last = 0;
    while (!run.IsCompleted)
    {
        await Task.WhenAny(run, Task.Delay(1000));
        var second = load.TakeWindow();
        Console.Error.WriteLine($"  [rate {rate}/s] {(DateTimeOffset.UtcNow - started).TotalSeconds,5:F0} s  {load.Acked - last,7} acked/s  ack p50 {second.P50,6:F1} p99 {second.P99,6:F1} max {second.Max,6:F1} ms  {load.Skipped,7} skipped  {load.ErrorCount,6} errors{(DateTimeOffset.UtcNow < measureFrom ? "  (warm-up)" : "")}");
        last = load.Acked;
    }

    var r = await run;
    var acked = load.AckedWamids.Where(a => a.AckedAt >= measureFrom).ToList();
    var errors = new Dictionary<string, int>(r.Errors);
    if (r.Skipped > 0)
    {
        errors["skipped (in flight at the cap)"] = r.Skipped;
    }

    return new LoadResult(acked.Count / options.PerWebhook / options.Duration.TotalSeconds, acked.Count / options.Duration.TotalSeconds, r.Ack, errors, acked, acked.Count);
}

async Task SendLoadAsync()
{
    var tenant = await Provisioned.CreateAsync(api, options.OperatorKey, options.Numbers);
    api.DefaultRequestHeaders.Authorization = new("Bearer", tenant.ApiKey);
    Console.Error.WriteLine($"Opening {options.Numbers * options.RepliesPerNumber} conversations (one inbound webhook each)…");
    var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    var secret = Encoding.UTF8.GetBytes(tenant.AppSecret);
    foreach (var phone in tenant.PhoneNumberIds)
    {
        for (var chunk = 0; chunk < options.RepliesPerNumber; chunk += 100)
        {
            var messages = string.Join(",", Enumerable.Range(chunk, Math.Min(100, options.RepliesPerNumber - chunk)).Select(i =>
                $"{{\"from\":\"1650{phone[^3..]}{i:D4}\",\"id\":\"wamid.SEND{phone}{i:D5}\",\"timestamp\":\"{now}\",\"type\":\"text\",\"text\":{{\"body\":\"hi\"}}}}"));
            var body = Encoding.UTF8.GetBytes($"{{\"object\":\"whatsapp_business_account\",\"entry\":[{{\"id\":\"100000000000002\",\"changes\":[{{\"field\":\"messages\",\"value\":{{\"messaging_product\":\"whatsapp\",\"metadata\":{{\"display_phone_number\":\"15550100001\",\"phone_number_id\":\"{phone}\"}},\"messages\":[{messages}]}}}}]}}]}}");
            // A 503 (the inbox could not commit in time) is retried, as Meta would.
            for (var attempt = 1; ; attempt++)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/whatsapp/{tenant.TenantId}") { Content = content };
                request.Headers.Add("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(secret, body)));
                using var response = await api.SendAsync(request);
                if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable || attempt == 5)
                {
                    response.EnsureSuccessStatusCode();
                    break;
                }

                await Task.Delay(1000);
            }
        }
    }

    var conversations = new List<Guid>();
    while (conversations.Count < options.Numbers * options.RepliesPerNumber)
    {
        conversations.Clear();
        string? cursor = null;
        do
        {
            var page = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.TenantId}/conversations?limit=200{(cursor is null ? "" : "&cursor=" + cursor)}");
            conversations.AddRange(page!["items"]!.AsArray().Select(c => c!["id"]!.GetValue<Guid>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        Console.Error.WriteLine($"  {conversations.Count} conversations open");
        await Task.Delay(500);
    }

    // Hold every number while the burst is queued (as an expired token would), so that the sender meets
    // the whole burst at once; rotating the token through the API releases it.
    await using (var connection = Lag.Connect(options))
    {
        await connection.OpenAsync();
        await using var hold = connection.CreateCommand();
        hold.CommandText = "UPDATE \"Channels\" SET \"Status\" = 'needsreauthorization' WHERE \"TenantId\" = @tenant";
        var parameter = hold.CreateParameter();
        parameter.ParameterName = "tenant";
        parameter.Value = options.DbProvider == "sqlite" ? tenant.TenantId.ToString().ToUpperInvariant() : tenant.TenantId;
        hold.Parameters.Add(parameter);
        await hold.ExecuteNonQueryAsync();
    }

    Console.Error.WriteLine($"Queueing {conversations.Count} replies…");
    var queued = System.Diagnostics.Stopwatch.StartNew();
    await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
    {
        using var reply = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenant.TenantId}/conversations/{id}/messages") { Content = JsonContent.Create(new { type = "text", text = "Thanks for writing! An agent will be with you shortly." }) };
        reply.Headers.Add("Idempotency-Key", id.ToString());
        (await api.SendAsync(reply, ct)).EnsureSuccessStatusCode();
    });
    Console.Error.WriteLine($"  queued in {queued.Elapsed.TotalSeconds:F1} s; releasing the numbers");
    using var simulator = options.Simulator is null ? null : new HttpClient { BaseAddress = new Uri(options.Simulator.TrimEnd('/') + "/") };
    var errorsBefore = simulator is null ? [] : await SimulatorRates.ErrorsAsync(simulator);
    var channels = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.TenantId}/channels");
    foreach (var channel in channels!["items"]!.AsArray())
    {
        (await api.PostAsJsonAsync($"/api/v1/tenants/{tenant.TenantId}/channels/{channel!["id"]}/credentials", new { accessToken = "load-test-token" })).EnsureSuccessStatusCode();
    }

    var rates = await SendRates.MeasureAsync(options, tenant.TenantId, options.Numbers * options.RepliesPerNumber, simulator is null ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(500));
    report.AppendLine(CultureInfo.InvariantCulture, $"{conversations.Count} replies across {options.Numbers} numbers (80 messages/s each); all queued within {queued.Elapsed.TotalSeconds:F1} s.");
    report.AppendLine();
    report.AppendLine("| number | replies accepted | rate between 10% and 90% (msg/s) |");
    report.AppendLine("|---|---|---|");
    var n = 0;
    foreach (var (_, count, rate) in rates.PerChannel)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {++n} | {count} | {rate:F1} |");
    }

    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Rate per number: min {rates.PerChannel.Min(r => r.Rate):F1}, mean {rates.PerChannel.Average(r => r.Rate):F1}, max {rates.PerChannel.Max(r => r.Rate):F1} msg/s. Failed replies: {rates.Failed} ({string.Join(", ", rates.FailureCodes.Select(f => $"{f.Key}: {f.Value}"))}).");
    if (simulator is null)
    {
        return;
    }

    // The same, as the simulator saw it: exact accept times rather than a 100 ms poll of the database.
    var seen = await SimulatorRates.MeasureAsync(simulator, tenant.PhoneNumberIds, errorsBefore);
    report.AppendLine();
    report.AppendLine("As the simulator counted (accept times): each number's rate between 10% and 90% of its sends; its rate over the span in which all numbers were between their 10% and 90% (all sending at once); its busiest second (sliding 1 s window; Meta's limit is 80).");
    report.AppendLine();
    report.AppendLine("| number | accepted | first – last (s) | rate 10%–90% (msg/s) | rate, all at once | busiest second |");
    report.AppendLine("|---|---|---|---|---|---|");
    foreach (var number in seen.Numbers)
    {
        report.AppendLine(CultureInfo.InvariantCulture, $"| {number.PhoneNumberId} | {number.Accepted} | {number.FirstSeconds:F2} – {number.LastSeconds:F2} | {number.Rate:F1} | {number.CommonRate:F1} | {number.BusiestSecond} |");
    }

    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Simulator: rate per number min {seen.Numbers.Min(n => n.Rate):F1} / mean {seen.Numbers.Average(n => n.Rate):F1} / max {seen.Numbers.Max(n => n.Rate):F1} msg/s; all at once ({seen.CommonWindowSeconds:F1} s) min {seen.Numbers.Min(n => n.CommonRate):F1} / mean {seen.Numbers.Average(n => n.CommonRate):F1} / max {seen.Numbers.Max(n => n.CommonRate):F1} msg/s; total {seen.TotalRate:F0} msg/s; busiest second {seen.Numbers.Max(n => n.BusiestSecond)}; 130429 answered: {seen.ThroughputErrors}; 131056: {seen.PairErrors}.");
    if (seen.Throttles.Count > 0)
    {
        // Whether a 130429 followed a full second (the sender bunched) or a window the simulator saw fill early.
        report.AppendLine(CultureInfo.InvariantCulture, $"130429 at: {string.Join("; ", seen.Throttles.Take(10).Select(t => $"{t.PhoneNumberId} +{t.AtSeconds:F3} s ({t.AcceptedInSecondBefore} accepted in the second before)"))}.");
    }
}
