using System.Security.Cryptography;

namespace Switchboard.Bench;

internal sealed record IngestResults(BenchOptions Options, DateTimeOffset StartedAt, LoadResult Ceiling, LoadResult Switchboard, LagResult? Lag);

/// <summary>
/// Webhook ingestion: a fresh tenant and number, then the ceiling (a bare signature-checking endpoint in
/// this process) and Switchboard, driven the same way for the same time; then Switchboard's processing lag
/// read from its database.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task<string> RunAsync(BenchOptions options, HttpClient http, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var api = new SwitchboardApi(http, options.Url);
        var db = options.Db is null ? null : new BenchDatabase(options.DbProvider, options.Db);
        if (db is not null)
        {
            // A wrong connection string fails now, not after the load.
            await using var connection = await db.OpenAsync(ct);
        }

        var appSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var tenant = await api.CreateTenantAsync(options.OperatorKey, $"Bench ingest {startedAt:yyyy-MM-dd HH:mm:ss}", ct);
        var channel = await api.CreateChannelAsync(tenant, appSecret, ct);
        Progress.Line($"Provisioned tenant {tenant.Id} with number {channel.PhoneNumberId}");

        var customers = Webhooks.CustomerPool(options.Customers);

        LoadResult ceiling;
        await using (var server = await CeilingServer.StartAsync(appSecret, ct))
        {
            Progress.Line($"Ceiling: bare signature-checking endpoint at {server.BaseUrl} ({options.WarmupSeconds} s warm-up, {options.DurationSeconds} s measured, concurrency {options.Concurrency})");
            ceiling = await WebhookLoad.RunAsync("ceiling", server.WebhookUrl(tenant.Id), http, new Webhooks(channel.PhoneNumberId, appSecret), customers, options, keepWamids: false, ct);
        }

        Progress.Line($"Switchboard: {api.WebhookUrl(tenant.Id)}");
        var switchboard = await WebhookLoad.RunAsync("switchboard", api.WebhookUrl(tenant.Id), http, new Webhooks(channel.PhoneNumberId, appSecret), customers, options, keepWamids: true, ct);

        LagResult? lag = null;
        if (db is not null)
        {
            lag = await ProcessingLag.MeasureAsync(db, tenant.Id, switchboard, ct);
        }
        else
        {
            Progress.Line("No --db: processing lag not measured.");
        }

        return Report.Ingest(new IngestResults(options, startedAt, ceiling, switchboard, lag));
    }
}
