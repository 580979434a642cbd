using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Common.Realtime;

/// <summary>
/// Sends this node's cache invalidations to the other nodes (ADR 0056), a batch per NOTIFY, in the order they were made. While the
/// database cannot be reached it keeps the batch and tries again; the other nodes flush everything when their own LISTEN drops.
/// </summary>
internal sealed partial class InvalidationSender(
    IOptions<SwitchboardOptions> options, IConfiguration configuration, CacheInvalidation invalidation, ILogger<InvalidationSender> logger) : BackgroundService
{
    // A NOTIFY payload must stay under 8,000 bytes; a line is at most ~60.
    private const int MaxLines = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Database.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var connectionString = PersistenceSetup.ResolveConnectionString(configuration, options.Value);
        var reader = invalidation.Outgoing;
        var batch = new StringBuilder();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                var lines = 0;
                while (lines < MaxLines && reader.TryRead(out var line))
                {
                    batch.Append(line).Append('\n');
                    lines++;
                }

                while (true)
                {
                    try
                    {
                        await using var connection = new NpgsqlConnection(connectionString);
                        await connection.OpenAsync(stoppingToken);
                        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
                        notify.Parameters.AddWithValue("channel", CacheInvalidation.NotifyChannel);
                        notify.Parameters.AddWithValue("payload", batch.ToString());
                        await notify.ExecuteNonQueryAsync(stoppingToken);
                        break;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogFailed(SafeError.Describe(ex));
                        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                    }
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send cache invalidations to the other nodes ({Error}); retrying")]
    private partial void LogFailed(string error);
}
