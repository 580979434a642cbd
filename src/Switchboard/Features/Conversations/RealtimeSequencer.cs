using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Numbers committed realtime events on PostgreSQL (ADR 0053): moves rows from the queue into the tenant's
/// gap-free sequence in one short transaction per round, under a platform-wide advisory lock, and NOTIFYs
/// every node of the tenants it numbered. A writer whose commit queued events waits for the next round
/// (<see cref="SequenceAsync"/>), so the event is in the log when its request returns; the writer holds
/// no lock while it waits. A round also runs every second for events whose node died before signalling.
/// </summary>
internal sealed partial class RealtimeSequencer(
    IOptions<SwitchboardOptions> options, IConfiguration configuration, RealtimeHub hub, ILogger<RealtimeSequencer> logger) : BackgroundService
{
    /// <summary>The advisory lock key of numbering ("SBREALTM"): one round at a time across all nodes, so sequence order is queue order.</summary>
    private const long LockKey = 0x5342_5245_414C_544D;
    private const int RoundLimit = 10_000;
    private static readonly TimeSpan Sweep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Moves up to @limit queued events into their tenants' sequences. The ids are taken once, in an ARRAY, and the queue is
    /// read only through its Id index (ADR 0072): the queue is near empty whenever it is analyzed and full of dead rows
    /// between vacuums, so a plan from its statistics scanned it whole or ran the id subquery once per row.
    /// </summary>
    internal const string NumberingSql = """
        WITH moved AS (
            DELETE FROM "RealtimeEventQueue" WHERE "Id" = ANY (ARRAY(SELECT "Id" FROM "RealtimeEventQueue" ORDER BY "Id" LIMIT @limit))
            RETURNING "Id", "TenantId", "Type", "ConversationId", "MessageId", "Detail", "CreatedAt"),
        counts AS (SELECT "TenantId", count(*) AS n FROM moved GROUP BY "TenantId"),
        bumped AS (
            UPDATE "Tenants" t SET "EventCounter" = t."EventCounter" + c.n FROM counts c WHERE t."Id" = c."TenantId"
            RETURNING t."Id", t."EventCounter" - c.n AS base),
        appended AS (
            INSERT INTO "RealtimeEvents" ("TenantId", "Sequence", "Type", "ConversationId", "MessageId", "Detail", "CreatedAt")
            SELECT m."TenantId", b.base + row_number() OVER (PARTITION BY m."TenantId" ORDER BY m."Id"), m."Type", m."ConversationId", m."MessageId", m."Detail", m."CreatedAt"
            FROM moved m JOIN bumped b ON b."Id" = m."TenantId"),
        notified AS (SELECT pg_notify(@channel, b."Id"::text) FROM bumped b)
        SELECT b."Id", (SELECT count(*) FROM moved), (SELECT count(*) FROM notified) FROM bumped b
        """;

    /// <summary>The round's planner settings: the queue is read along its index (see <see cref="NumberingSql"/>).</summary>
    internal const string PlanSettings = "SET LOCAL enable_seqscan = off;";

    private const string RoundSql = $"""
        SELECT pg_advisory_xact_lock(@lock);
        {PlanSettings}
        {NumberingSql}
        """;

    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Lock gate = new();
    private TaskCompletionSource nextRound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool running;

    /// <summary>
    /// Asks for a round and completes when a round that started after this call has ended, so every event
    /// committed before the call is numbered (or, if the round failed, left for the next one). Returns at
    /// once where nothing numbers events (SQLite; a process that does not run the sequencer).
    /// </summary>
    public async Task SequenceAsync()
    {
        if (!running)
        {
            return;
        }

        Task round;
        lock (gate)
        {
            round = nextRound.Task;
        }

        signal.Writer.TryWrite(true);
        try
        {
            await round.WaitAsync(LongestWait);
        }
        catch (TimeoutException)
        {
            // The events are committed and queued; a later round numbers them.
        }
    }

    /// <summary>Asks for a round without waiting for it.</summary>
    public void Signal() => signal.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Database.Provider != DatabaseProvider.Postgres)
        {
            return;
        }

        var connectionString = PersistenceSetup.ResolveConnectionString(configuration, options.Value);
        running = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using (var sweep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    sweep.CancelAfter(Sweep);
                    try
                    {
                        await signal.Reader.WaitToReadAsync(sweep.Token);
                        signal.Reader.TryRead(out _);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                        // The once-a-second sweep.
                    }
                }

                TaskCompletionSource round;
                lock (gate)
                {
                    round = nextRound;
                    nextRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                try
                {
                    while (await RoundAsync(connectionString, stoppingToken) == RoundLimit)
                    {
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // The events stay queued, committed; the next round numbers them.
                    LogRoundFailed(SafeError.Describe(ex));
                    await Task.Delay(TimeSpan.FromMilliseconds(200), stoppingToken);
                }
                finally
                {
                    round.TrySetResult();
                }
            }
        }
        finally
        {
            running = false;
            lock (gate)
            {
                nextRound.TrySetResult();
            }
        }
    }

    /// <summary>One numbering transaction; returns how many events it moved.</summary>
    private async Task<int> RoundAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand(RoundSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long>("lock", LockKey));
        command.Parameters.Add(new NpgsqlParameter<int>("limit", RoundLimit));
        command.Parameters.Add(new NpgsqlParameter<string>("channel", RealtimeHub.NotifyChannel));
        var tenants = new List<Guid>();
        var moved = 0;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            do
            {
                while (await reader.ReadAsync(ct))
                {
                    if (reader.FieldCount == 3)
                    {
                        tenants.Add(reader.GetGuid(0));
                        moved = (int)reader.GetInt64(1);
                    }
                }
            }
            while (await reader.NextResultAsync(ct));
        }

        await transaction.CommitAsync(ct);
        foreach (var tenantId in tenants)
        {
            hub.Publish(tenantId);
        }

        if (tenants.Count > 0)
        {
            SwitchboardTelemetry.RealtimePublished.Add(tenants.Count, new KeyValuePair<string, object?>("origin", "local"));
        }

        return moved;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Numbering realtime events failed ({Error}); they stay queued for the next round")]
    private partial void LogRoundFailed(string error);
}
