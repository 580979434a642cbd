using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace Switchboard.LoadTest;

/// <summary>The tenant, number and user an inbox run works with.</summary>
internal sealed record InboxTarget(Guid TenantId, string TenantKey, string PhoneNumberId, string AppSecret, string Email, string Password);

/// <summary>The outcome of an inbox run: per probe, acknowledged at and first seen in the page (Unix ms).</summary>
internal sealed record InboxResult(IReadOnlyList<(string Marker, double AckedAt, double? SeenAt, double? StoredAt)> Probes, RateResult Load, Percentiles ProbeAck, int Superseded);

/// <summary>
/// Inbound message → open inbox. A user signs in to the dashboard in headless Chromium and keeps the inbox
/// open; a background webhook load runs at a fixed rate over many customers of the same tenant; a
/// dedicated probe customer writes a message with a unique marker every interval. A MutationObserver in
/// the page stamps <c>performance.timeOrigin + performance.now()</c> (Unix ms) the first time a
/// <c>[data-testid=last-preview]</c> shows a marker; the tool stamps the probe's 200 with
/// <see cref="DateTimeOffset.UtcNow"/>. Both run on the same machine, so the clocks are the same clock.
/// </summary>
internal static class InboxLatency
{
    private const string Observer = """
        (() => {
          window.__seen = window.__seen || {};
          const scan = () => {
            const now = performance.timeOrigin + performance.now();
            for (const el of document.querySelectorAll('[data-testid=last-preview]')) {
              const m = /PROBE-[0-9a-f]+-\d+/.exec(el.textContent || '');
              if (m && !(m[0] in window.__seen)) window.__seen[m[0]] = now;
            }
          };
          const start = () => { scan(); new MutationObserver(scan).observe(document.documentElement, { subtree: true, childList: true, characterData: true }); };
          if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
        })();
        """;

    public static async Task<InboxTarget> TargetAsync(HttpClient api, Options options)
    {
        Guid tenantId;
        string tenantKey, phone, secret;
        if (options.DataDir is { } dir)
        {
            // Demo mode: the seeded tenant, its number on the built-in simulator and its users.
            tenantId = Guid.Parse((await File.ReadAllTextAsync(Path.Combine(dir, "demo-tenant.id"))).Trim());
            tenantKey = (await File.ReadAllTextAsync(Path.Combine(dir, "demo-tenant.key"))).Trim();
            phone = options.Get("phone-number-id", "100000000000001");
            secret = options.Get("app-secret", "demo-app-secret");
        }
        else
        {
            var provisioned = await Provisioned.CreateAsync(api, options.OperatorKey, 1);
            (tenantId, tenantKey, phone, secret) = (provisioned.TenantId, provisioned.ApiKey, provisioned.PhoneNumberIds[0], provisioned.AppSecret);
        }

        if (options.Get("email", "") is { Length: > 0 } email)
        {
            return new InboxTarget(tenantId, tenantKey, phone, secret, email, options.Get("password", "switchboard-demo"));
        }

        // No user given: invite an agent with the tenant key and accept the invite.
        email = $"bench-{Guid.NewGuid():N}@bench.test";
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        using var invite = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{tenantId}/invites") { Content = JsonContent.Create(new { email, role = "agent" }) };
        invite.Headers.Authorization = new("Bearer", tenantKey);
        using var invited = await api.SendAsync(invite);
        invited.EnsureSuccessStatusCode();
        var url = (await invited.Content.ReadFromJsonAsync<JsonObject>())!["inviteUrl"]!.GetValue<string>();
        var code = Uri.UnescapeDataString(url[(url.IndexOf("code=", StringComparison.Ordinal) + 5)..].Split('&')[0]);
        (await api.PostAsJsonAsync("/api/v1/invites/accept", new { code, displayName = "Bench Agent", password })).EnsureSuccessStatusCode();
        return new InboxTarget(tenantId, tenantKey, phone, secret, email, password);
    }

    public static async Task<InboxResult> RunAsync(HttpClient api, InboxTarget target, Options options)
    {
        var webhook = new Uri($"{options.Url}/webhooks/whatsapp/{target.TenantId}");
        var secret = Encoding.UTF8.GetBytes(target.AppSecret);
        var run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var probeCustomer = "1659" + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        using var probeHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Task<string?> Probe(string marker) => Webhooks.PostAsync(probeHttp, webhook, secret,
            Encoding.UTF8.GetBytes(Webhooks.Text(target.PhoneNumberId, $"wamid.{marker}", probeCustomer, "Probe " + run, marker + " where is my parcel?")), CancellationToken.None);

        // The probe customer's conversation, before any load.
        Console.Error.WriteLine($"Probe customer +{probeCustomer}; opening its conversation…");
        if (await Probe($"PROBE-{run}-0") is { } setupError)
        {
            throw new InvalidOperationException($"The first probe webhook failed: {setupError}");
        }

        api.DefaultRequestHeaders.Authorization = new("Bearer", target.TenantKey);
        var conversationId = await FindConversationAsync(api, target.TenantId, probeCustomer);

        Console.Error.WriteLine($"Signing in {target.Email} in headless Chromium…");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = options.Get("chromium", "/usr/bin/chromium"), Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { BaseURL = options.Url });
        await page.AddInitScriptAsync(Observer);
        await page.GotoAsync("/account/login");
        await page.FillAsync("input[type=email]", target.Email);
        await page.FillAsync("input[type=password]", target.Password);
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(u => !u.Contains("/account/login", StringComparison.Ordinal), new() { Timeout = 30_000 });

        var view = options.Get("view", "mine");
        if (view == "mine")
        {
            // The agent's own view: the probe conversation assigned to them, the inbox filtered to "Mine".
            // (The page is prerendered: a click only counts once the interactive circuit is up, so retry.)
            await page.GotoAsync($"/conversations/{conversationId}");
            await UntilAsync(page, "[data-testid=assign-me]", "[data-testid=unassign]");
            await page.GotoAsync("/");
            await UntilAsync(page, "[data-testid=filter-mine]", "[data-testid=filter-mine].active");
            await page.WaitForSelectorAsync($"[data-testid=conversation-item][data-conversation-id='{conversationId}']");
        }
        else
        {
            await page.GotoAsync("/");
        }

        await page.WaitForFunctionAsync($"() => 'PROBE-{run}-0' in (window.__seen || {{}})", null, new() { Timeout = 30_000 });
        Console.Error.WriteLine($"Inbox open ({view} view); background load {options.Rate} events/s over {options.Customers} customers, {options.Warmup.TotalSeconds:F0} s warm-up, then {options.Probes} probes every {options.ProbeInterval.TotalMilliseconds:F0} ms");

        using var stopLoad = new CancellationTokenSource();
        var load = new RateLoad();
        var loadTask = Task.Run(() => load.RunAsync([webhook], target.AppSecret, target.PhoneNumberId, options.Rate, options.Customers, options.Concurrency, stopLoad.Token));
        var clock = Stopwatch.StartNew();
        var (lastAcked, lastAt) = (0, TimeSpan.Zero);
        void Progress(string extra)
        {
            var (now, at) = (load.Acked, clock.Elapsed);
            Console.Error.WriteLine($"  {at.TotalSeconds,5:F0} s  load {(now - lastAcked) / (at - lastAt).TotalSeconds,5:F0} acked/s  {load.ErrorCount} errors  {load.Skipped} skipped{extra}");
            (lastAcked, lastAt) = (now, at);
        }

        while (clock.Elapsed < options.Warmup)
        {
            await Task.Delay(1000);
            Progress("  (warm-up)");
        }

        var probes = new List<(string Marker, double AckedAt)>();
        var probeAck = new List<double>();
        var nextProgress = clock.Elapsed + TimeSpan.FromSeconds(1);
        for (var i = 1; i <= options.Probes; i++)
        {
            var marker = $"PROBE-{run}-{i}";
            var started = Stopwatch.GetTimestamp();
            var error = await Probe(marker);
            var ackedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            if (error is null)
            {
                probes.Add((marker, ackedAt));
                probeAck.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            else
            {
                Console.Error.WriteLine($"  probe {i} failed: {error}");
            }

            if (clock.Elapsed >= nextProgress)
            {
                var seen = await SeenAsync(page);
                var lags = probes.Where(p => seen.ContainsKey(p.Marker)).Select(p => seen[p.Marker] - p.AckedAt).ToList();
                Progress($"  probes {probes.Count} sent, {lags.Count} visible{(lags.Count > 0 ? $", last {lags[^1]:F0} ms" : "")}");
                nextProgress = clock.Elapsed + TimeSpan.FromSeconds(1);
            }

            var wait = options.ProbeInterval - Stopwatch.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
        }

        // Keep the load on until every probe is visible or 10 s have passed since the last one.
        var lastProbe = clock.Elapsed;
        Dictionary<string, double> final;
        while (true)
        {
            final = await SeenAsync(page);
            if (probes.All(p => final.ContainsKey(p.Marker)) || clock.Elapsed - lastProbe > TimeSpan.FromSeconds(10))
            {
                break;
            }

            await Task.Delay(250);
        }

        await stopLoad.CancelAsync();
        var result = await loadTask;
        var stored = options.Db is null ? [] : await StoredAsync(options, target.TenantId, $"wamid.PROBE-{run}-");

        // The list shows a conversation's newest message only: when two probes land in the same refresh,
        // the earlier one is never rendered as the preview, but it is in the inbox from the moment the later
        // one shows. So a probe counts as visible at the first time it or any later probe was seen.
        var seenAt = new double?[probes.Count];
        double? earliest = null;
        for (var i = probes.Count - 1; i >= 0; i--)
        {
            if (final.TryGetValue(probes[i].Marker, out var own) && (earliest is null || own < earliest))
            {
                earliest = own;
            }

            seenAt[i] = earliest;
        }

        var superseded = probes.Count(p => !final.ContainsKey(p.Marker)) - seenAt.Count(s => s is null);
        Console.Error.WriteLine($"{final.Count - 1} probe markers seen in the page; {superseded} probes shown only through a later probe in the same refresh");
        return new InboxResult(
            [.. probes.Select((p, i) => (p.Marker, p.AckedAt, seenAt[i], stored.TryGetValue("wamid." + p.Marker, out var c) ? c : (double?)null))],
            result, Percentiles.Of(probeAck), superseded);
    }

    /// <summary>Clicks <paramref name="click"/> until <paramref name="done"/> shows (at most 20 tries, 1 s apart).</summary>
    private static async Task UntilAsync(IPage page, string click, string done)
    {
        for (var attempt = 0; ; attempt++)
        {
            await page.ClickAsync(click);
            try
            {
                await page.WaitForSelectorAsync(done, new() { Timeout = 1000 });
                return;
            }
            catch (TimeoutException) when (attempt < 20)
            {
            }
        }
    }

    /// <summary>When each probe's message row was stored (Messages.CreatedAt, the server's clock, Unix ms).</summary>
    private static async Task<Dictionary<string, double>> StoredAsync(Options options, Guid tenantId, string prefix)
    {
        var stored = new Dictionary<string, double>();
        await using var connection = Lag.Connect(options);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"Wamid\", \"CreatedAt\" FROM \"Messages\" WHERE \"TenantId\" = @tenant AND \"Wamid\" LIKE @prefix";
        foreach (var (name, value) in new (string, object)[] { ("tenant", options.DbProvider == "sqlite" ? tenantId.ToString().ToUpperInvariant() : tenantId), ("prefix", prefix + "%") })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored[reader.GetString(0)] = (options.DbProvider == "sqlite"
                ? DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(1) * 10)
                : reader.GetFieldValue<DateTimeOffset>(1)).ToUnixTimeMilliseconds();
        }

        return stored;
    }

    private static async Task<Dictionary<string, double>> SeenAsync(IPage page) =>
        await page.EvaluateAsync<Dictionary<string, double>>("() => window.__seen || {}");

    private static async Task<Guid> FindConversationAsync(HttpClient api, Guid tenantId, string waId)
    {
        for (var attempt = 0; attempt < 120; attempt++)
        {
            string? cursor = null;
            do
            {
                var page = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations?limit=200{(cursor is null ? "" : "&cursor=" + cursor)}");
                foreach (var c in page!["items"]!.AsArray())
                {
                    if (c!["contact"]?["waId"]?.GetValue<string>() == waId)
                    {
                        return c["id"]!.GetValue<Guid>();
                    }
                }

                cursor = page["nextCursor"]?.GetValue<string>();
            }
            while (cursor is not null);
            await Task.Delay(500);
        }

        throw new InvalidOperationException($"No conversation for +{waId} after 60 s.");
    }

    public static void Report(StringBuilder report, InboxResult result, Options options)
    {
        const double Limit = 10_000;
        var lags = result.Probes.Where(p => p.SeenAt is { } s && s - p.AckedAt <= Limit).Select(p => p.SeenAt!.Value - p.AckedAt).ToList();
        var missing = result.Probes.Count - lags.Count;
        var load = result.Load;
        report.AppendLine(CultureInfo.InvariantCulture, $"Background load: {options.Rate} events/s scheduled (open loop, ≤ {options.Concurrency} in flight, {options.Customers} customers): "
            + $"{load.AckedPerSecond:F0} acknowledged/s over {load.Seconds:F0} s ({load.Acked} acked, {load.Skipped} skipped because {options.Concurrency} were in flight), "
            + $"ack p50 {load.Ack.P50:F1} ms, p99 {load.Ack.P99:F1} ms; errors: {(load.Errors.Count == 0 ? "0" : string.Join(", ", load.Errors.Select(e => $"{e.Key}: {e.Value}")))}.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Probes: {result.Probes.Count} acknowledged (probe ack p50 {result.ProbeAck.P50:F1} ms, max {result.ProbeAck.Max:F1} ms); view: {options.Get("view", "mine")}.");
        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"Not visible within 10 s of their acknowledgement: {missing} of {result.Probes.Count} probes. "
            + $"{result.Superseded} probes were never the preview themselves because a later probe arrived in the same refresh; they count as visible when that later one showed.");
        report.AppendLine();
        report.AppendLine("| probes | p50 ms | p95 | p99 | max |");
        report.AppendLine("|---|---|---|---|---|");
        // A probe never seen counts as "over 10 s", so a percentile it reaches is shown as such.
        var all = Percentiles.Of([.. lags, .. Enumerable.Repeat(double.PositiveInfinity, missing)]);
        static string Ms(double v) => double.IsInfinity(v) ? "> 10,000" : v.ToString("F0", CultureInfo.InvariantCulture);
        report.AppendLine(CultureInfo.InvariantCulture, $"| acknowledged → visible in the open inbox (all {result.Probes.Count}) | {Ms(all.P50)} | {Ms(all.P95)} | {Ms(all.P99)} | {Ms(all.Max)} |");
        var split = result.Probes.Where(p => p.SeenAt is not null && p.StoredAt is not null).ToList();
        if (split.Count > 0)
        {
            var processing = Percentiles.Of([.. split.Select(p => Math.Max(0, p.StoredAt!.Value - p.AckedAt))]);
            var push = Percentiles.Of([.. split.Select(p => p.SeenAt!.Value - p.StoredAt!.Value)]);
            report.AppendLine(processing.Row("… of which acknowledged → stored (processing)"));
            report.AppendLine(push.Row("… of which stored → visible (realtime + refresh + render)"));
        }

        if (result.Probes.Count >= 20)
        {
            var third = result.Probes.Count / 3;
            string Part(IEnumerable<(string Marker, double AckedAt, double? SeenAt, double? StoredAt)> part)
            {
                var p = Percentiles.Of([.. part.Where(x => x.SeenAt is not null).Select(x => x.SeenAt!.Value - x.AckedAt)]);
                return p.Count == 0 ? "none visible" : $"{p.Count} visible, p50 {p.P50:F0} ms, max {p.Max:F0} ms";
            }

            report.AppendLine();
            report.AppendLine(CultureInfo.InvariantCulture, $"Over the run (acknowledged → visible, however late): first third {Part(result.Probes.Take(third))}; last third {Part(result.Probes.Skip(result.Probes.Count - third))}.");
        }
    }
}
