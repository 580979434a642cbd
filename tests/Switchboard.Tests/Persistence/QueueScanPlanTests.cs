using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Persistence;

/// <summary>
/// The two queues every inbound event passes through on PostgreSQL, the inbox and the realtime queue, are read along their
/// Id indexes however stale their statistics (ADR 0072). Each table here was analyzed while it was empty, as autovacuum
/// finds a queue between bursts, and then holds the dead and live rows of a burst.
/// </summary>
public sealed class QueueScanPlanTests : IAsyncLifetime
{
    private readonly TestDatabase database = TestDatabase.For(DatabaseProvider.Postgres);
    private readonly Guid tenantId = Guid.CreateVersion7();

    public async Task InitializeAsync()
    {
        await database.CreateMigratedAsync();
        await using var db = database.NewDbContext();
        db.Tenants.Add(new Tenant { Id = tenantId, Name = "Queues", CreatedAt = DateTimeOffset.UtcNow });
        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlRawAsync("""ANALYZE "RealtimeEventQueue"; ANALYZE "InboxEvents";""");
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_numbering_round_reads_the_realtime_queue_once_along_its_index_and_moves_every_queued_event()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, null, $"""
            INSERT INTO "RealtimeEventQueue" ("TenantId", "Type", "CreatedAt") SELECT '{tenantId}', 'conversation.changed', now() FROM generate_series(1, 3000);
            DELETE FROM "RealtimeEventQueue" WHERE "Id" % 3 <> 0;
            """);
        await using var transaction = await connection.BeginTransactionAsync();
        await Execute(connection, transaction, RealtimeSequencer.PlanSettings);

        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, FORMAT JSON) " + RealtimeSequencer.NumberingSql, connection, transaction);
        explain.Parameters.Add(new NpgsqlParameter<int>("limit", 10_000));
        explain.Parameters.Add(new NpgsqlParameter<string>("channel", "plan_test"));
        using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);

        var queueNodes = Nodes(plan.RootElement[0].GetProperty("Plan")).Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() == "RealtimeEventQueue").ToList();
        queueNodes.Should().NotBeEmpty();
        queueNodes.Should().OnlyContain(n => n.GetProperty("Node Type").GetString() != "Seq Scan", "the queue is read along its Id index");
        queueNodes.Should().OnlyContain(n => n.GetProperty("Actual Loops").GetInt64() == 1, "the queue's ids are taken once, not once per row");
        queueNodes.Where(n => n.GetProperty("Node Type").GetString() == "ModifyTable").Should().ContainSingle()
            .Which.GetProperty("Actual Rows").GetInt64().Should().Be(1000, "every live queued event is moved");
        await using var numbered = new NpgsqlCommand("""SELECT count(*), min("Sequence"), max("Sequence") FROM "RealtimeEvents" """, connection, transaction);
        await using var reader = await numbered.ExecuteReaderAsync();
        await reader.ReadAsync();
        (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2)).Should().Be((1000L, 1L, 1000L), "the events are numbered without gaps");
    }

    [Fact]
    public async Task A_claim_walks_the_pending_index_in_order_and_gives_the_planner_its_bitmaps_back_for_the_rest_of_the_batch()
    {
        var received = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using (var db = database.NewDbContext())
        {
            for (var i = 0; i < 3050; i++)
            {
                db.WebhookEvents.Add(new WebhookEvent
                {
                    Id = Guid.CreateVersion7(),
                    TenantId = tenantId,
                    ReceivedAt = received,
                    NextAttemptAt = received,
                    Body = [1, 2, 3],
                    State = i < 3000 ? WebhookEventState.Processed : WebhookEventState.Pending,
                    ProcessedAt = i < 3000 ? received : null,
                });
            }

            await db.SaveChangesAsync();
        }

        await using var explaining = ExplainInterceptor.NewDbContext(database, out var explain);
        await using var transaction = await explaining.Database.BeginTransactionAsync();

        var claimed = await WebhookProcessor.LockNextAsync(explaining, DateTimeOffset.UtcNow, 20, default);

        explain.Plan.Should().Contain("Index Scan using \"IX_InboxEvents_Pending\"").And.NotContain("Bitmap");
        claimed.Should().HaveCount(20).And.OnlyContain(e => e.State == WebhookEventState.Pending);
        claimed.Select(e => e.Id).Should().BeInAscendingOrder();
        (await explaining.Database.SqlQueryRaw<string>("SELECT current_setting('enable_bitmapscan') AS \"Value\"").SingleAsync()).Should().Be("on");
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }
}
