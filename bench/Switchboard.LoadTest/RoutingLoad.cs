using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Switchboard.LoadTest;

/// <summary>
/// Routing at scale: a tenant with <c>--teams</c> teams of agents (each team the default team of one
/// number), new customers arriving over one simulated hour (compressed into <c>--real-seconds</c>) with
/// a three-fold burst in minutes 20–30, agents who resolve what they are given after an exponential
/// handling time and who go away and come back now and then. Reports assignment latency (from the
/// webhook's acknowledgement to the <c>assigned</c> event), the load spread, the queues, and — sampled
/// from the database in one snapshot every half second — every moment a conversation waited while a
/// member of its team was online with free capacity.
/// </summary>
internal static partial class RoutingLoad
{
    private const int BurstFactor = 3;

    public static async Task RunAsync(HttpClient api, Options options, StringBuilder report)
    {
        var teams = options.IntOr("teams", 10);
        var agents = options.IntOr("agents", 200);
        var conversations = options.IntOr("conversations", 10_000);
        var capacity = options.IntOr("capacity", 5);
        var realSeconds = options.IntOr("real-seconds", 600);
        var handleMinutes = options.IntOr("handle-minutes", 4);
        var churnPercent = options.IntOr("churn-percent", 5);
        var compression = 3600.0 / realSeconds;

        Console.Error.WriteLine($"Provisioning a tenant with {teams} numbers, {agents} agents and {teams} teams");
        var tenant = await Provisioned.CreateAsync(api, options.OperatorKey, teams);
        var tenantId = tenant.TenantId;
        var channels = await ChannelIdsAsync(api, tenant);
        var users = await InviteAgentsAsync(api, tenant, agents);
        var teamIds = new List<Guid>();
        var teamOf = new Dictionary<Guid, Guid>();
        for (var t = 0; t < teams; t++)
        {
            var members = users.Where((_, i) => i % teams == t).ToList();
            var strategy = t % 2 == 0 ? "least_busy" : "round_robin";
            var team = await SendAsync(api, tenant.ApiKey, HttpMethod.Post, $"/api/v1/tenants/{tenantId}/teams", new
            {
                name = $"Team {t + 1}",
                memberIds = members,
                assignment = strategy,
                capacity,
                channelIds = new[] { channels[tenant.PhoneNumberIds[t]] },
            });
            var id = team!["id"]!.GetValue<Guid>();
            teamIds.Add(id);
            foreach (var member in members)
            {
                teamOf[member] = id;
            }
        }

        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, _) =>
            await SendAsync(api, tenant.ApiKey, HttpMethod.Put, $"/api/v1/tenants/{tenantId}/agents/{user}/availability", new { status = "online" }));

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", tenant.ApiKey);
        using var stop = new CancellationTokenSource();
        var run = new Run(http, tenant, compression, handleMinutes, stop.Token);
        var events = Task.Run(() => run.FollowEventsAsync());
        await Task.Delay(1000);

        var sampler = options.Db is null ? null : new ViolationSampler(options.Db, tenantId);
        var sampling = sampler is null ? Task.CompletedTask : Task.Run(() => sampler.RunAsync(stop.Token));
        var churn = Task.Run(() => run.ChurnAsync(users, churnPercent, stop.Token));

        Console.Error.WriteLine($"Arrivals: {conversations} new conversations over one simulated hour in {realSeconds} s (×{compression:F1}), burst ×{BurstFactor} in minutes 20–30");
        var clock = Stopwatch.StartNew();
        await run.ArrivalsAsync(conversations, realSeconds, teams, clock);
        var arrivalsTook = clock.Elapsed;
        run.StopChurn();

        // The load spread when arrivals end, before the tail drains.
        var spread = await SendAsync(api, tenant.ApiKey, HttpMethod.Get, $"/api/v1/tenants/{tenantId}/agents", null);
        var open = spread!["items"]!.AsArray().Select(a => a!["openAssigned"]!.GetValue<int>()).ToList();
        var perTeamSpread = spread["items"]!.AsArray()
            .GroupBy(a => teamOf.GetValueOrDefault(a!["userId"]!.GetValue<Guid>()))
            .Select(g => (Max: g.Max(a => a!["openAssigned"]!.GetValue<int>()), Min: g.Min(a => a!["openAssigned"]!.GetValue<int>())))
            .ToList();

        Console.Error.WriteLine("Arrivals done; waiting for every conversation to be assigned");
        var drainDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(180);
        while (run.Assigned < run.Acked && DateTime.UtcNow < drainDeadline)
        {
            await Task.Delay(1000);
            Console.Error.WriteLine($"  [drain] assigned {run.Assigned} of {run.Acked}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(events.ContinueWith(_ => { }, TaskScheduler.Default), sampling.ContinueWith(_ => { }, TaskScheduler.Default), churn.ContinueWith(_ => { }, TaskScheduler.Default));

        var latency = Percentiles.Of(run.Latencies);
        report.AppendLine(CultureInfo.InvariantCulture,
            $"{teams} teams (least busy and round robin alternately), {agents} agents, capacity {capacity}, one number per team; {run.Acked} new customers, one message per webhook POST, over one simulated hour in {arrivalsTook.TotalSeconds:F0} s (×{compression:F1}, burst ×{BurstFactor} in minutes 20–30); handling time exponential, mean {handleMinutes} simulated minutes; every 10 simulated minutes {churnPercent} % of the agents go away and those away come back.");
        report.AppendLine();
        report.AppendLine("| measure | value |");
        report.AppendLine("|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture, $"| webhooks acknowledged / errors | {run.Acked} / {run.Errors} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| assigned (seen as events) | {run.Assigned} |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| assignment latency from acknowledgement, p50 / p95 / p99 / max | {latency.P50:F0} / {latency.P95:F0} / {latency.P99:F0} / {latency.Max:F0} ms (real time; includes queueing during the burst) |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| open per agent when arrivals ended, max / min | {open.DefaultIfEmpty().Max()} / {open.DefaultIfEmpty().Min()} (widest within one team: {perTeamSpread.Max(s => s.Max - s.Min)}) |");
        report.AppendLine(CultureInfo.InvariantCulture, $"| resolved by the simulated agents | {run.Resolved} |");
        if (sampler is not null)
        {
            var server = await ServerLatencyAsync(options.Db!, tenantId);
            report.AppendLine(CultureInfo.InvariantCulture, $"| server-side: conversation opened → first automatic assignment, p50 / p99 / max | {server.P50:F0} / {server.P99:F0} / {server.Max:F0} ms over {server.Count} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| longest queue seen (one team) | {sampler.LongestQueue} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| samples taken (every 0.5 s, one snapshot each) | {sampler.Samples} |");
            report.AppendLine(CultureInfo.InvariantCulture, $"| waiting while a team member was online with free capacity, for ≥ 1 s | **{sampler.Violations}** |");
        }
    }

    private static async Task<Dictionary<string, Guid>> ChannelIdsAsync(HttpClient api, Provisioned tenant)
    {
        var list = await SendAsync(api, tenant.ApiKey, HttpMethod.Get, $"/api/v1/tenants/{tenant.TenantId}/channels", null);
        return list!["items"]!.AsArray().ToDictionary(c => c!["phoneNumberId"]!.GetValue<string>(), c => c!["id"]!.GetValue<Guid>());
    }

    private static async Task<List<Guid>> InviteAgentsAsync(HttpClient api, Provisioned tenant, int count)
    {
        var users = new ConcurrentBag<(int, Guid)>();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var invite = await SendAsync(api, tenant.ApiKey, HttpMethod.Post, $"/api/v1/tenants/{tenant.TenantId}/invites", new { email = $"agent{i:D4}.{tenant.TenantId:N}@bench.example", role = "agent" });
            var code = invite!["inviteUrl"]!.GetValue<string>().Split("code=")[1];
            var accepted = await SendAsync(api, null, HttpMethod.Post, "/api/v1/invites/accept", new { code = Uri.UnescapeDataString(code), displayName = $"Agent {i}", password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12)) });
            users.Add((i, accepted!["userId"]!.GetValue<Guid>()));
            if (Interlocked.Increment(ref done) % 25 == 0)
            {
                Console.Error.WriteLine($"  [agents] {done} of {count}");
            }
        });
        return [.. users.OrderBy(u => u.Item1).Select(u => u.Item2)];
    }

    private static async Task<JsonObject?> SendAsync(HttpClient http, string? key, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Authorization = new("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} from {method} {path}: {text}");
        }

        return text.Length == 0 ? null : JsonNode.Parse(text)?.AsObject();
    }

    /// <summary>First automatic assignment of each conversation minus its creation, as the server recorded both.</summary>
    private static async Task<Percentiles> ServerLatencyAsync(string db, Guid tenantId)
    {
        await using var connection = new NpgsqlConnection(db);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT EXTRACT(EPOCH FROM (min(a."At") - c."CreatedAt")) * 1000
            FROM "Assignments" a JOIN "Conversations" c ON c."TenantId" = a."TenantId" AND c."Id" = a."ConversationId"
            WHERE a."TenantId" = @tenant AND a."Kind" = 'auto'
            GROUP BY c."Id", c."CreatedAt"
            """,
            connection);
        command.Parameters.AddWithValue("tenant", tenantId);
        var values = new List<double>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            values.Add(Math.Max(0, Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture)));
        }

        return Percentiles.Of(values);
    }
}
