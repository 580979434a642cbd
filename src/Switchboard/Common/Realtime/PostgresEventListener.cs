using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;

namespace Switchboard.Common.Realtime;

/// <summary>
/// Cross-node fan-out: LISTENs on PostgreSQL for the NOTIFY that every event-appending transaction sends
/// on commit, and wakes this node's streams of that tenant; and for other nodes' cache invalidations (ADR 0056).
/// Reconnects by itself, and then flushes every cache: it may have missed some while it could not hear them.
/// </summary>
internal sealed partial class PostgresEventListener(
    IOptions<SwitchboardOptions> options, IConfiguration configuration, RealtimeHub hub, CacheInvalidation invalidation, ILogger<PostgresEventListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Database.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var connectionString = PersistenceSetup.ResolveConnectionString(configuration, options.Value);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == CacheInvalidation.NotifyChannel)
                    {
                        invalidation.Receive(e.Payload);
                    }
                    else if (Guid.TryParse(e.Payload, out var tenantId))
                    {
                        hub.Publish(tenantId);
                        SwitchboardTelemetry.RealtimePublished.Add(1, new KeyValuePair<string, object?>("origin", "notify"));
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {RealtimeHub.NotifyChannel}; LISTEN {CacheInvalidation.NotifyChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Whatever changed while this node was not listening is unknown: drop it all, and wake every stream.
                invalidation.FlushAll();
                hub.PublishAll();
                invalidation.MarkListening();

                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogDisconnected(SafeError.Describe(ex));
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Realtime LISTEN connection lost ({Error}); reconnecting")]
    private partial void LogDisconnected(string error);
}
