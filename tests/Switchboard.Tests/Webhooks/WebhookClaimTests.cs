using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// PostgreSQL: a batch is claimed by locking its rows in the transaction that processes it (no lease
/// written). Locked rows are skipped, not waited for; they are free again the moment the holder's
/// transaction ends; and finding the next batch reads only pending rows, however many processed ones
/// are kept for the replay window.
/// </summary>
public sealed class InboxClaimTests_Postgres(PostgresAppFixture fixture) : InboxClaimTests(fixture), IClassFixture<PostgresAppFixture>
{
    [Fact]
    public async Task A_batch_held_by_a_node_that_went_quiet_is_skipped_not_waited_for_and_taken_over_when_its_transaction_ends()
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        // An event that falls due in two seconds, locked before then by another node that then goes
        // quiet in the middle of its batch.
        var held = await AppendAsync(tenant.Id, Messages(phone, Text("held by a quiet node", 1_750_000_000, from: "16505557000")), TimeSpan.FromSeconds(2));
        var quietNode = new NpgsqlConnection(App.Database.ConnectionString);
        await quietNode.OpenAsync();
        var transaction = await quietNode.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("""SELECT 1 FROM "InboxEvents" WHERE "Id" = @id FOR UPDATE""", quietNode, transaction))
        {
            lockRow.Parameters.AddWithValue("id", held.Id);
            (await lockRow.ExecuteScalarAsync()).Should().Be(1);
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        // Other customers' webhooks keep flowing past the held one.
        foreach (var i in Enumerable.Range(0, 3))
        {
            (await App.PostSignedAsync(tenant.Id, Messages(phone, Text($"flowing {i}", 1_750_000_010 + i, from: $"165055571{i:D2}")))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await WaitForMessagesAsync(tenant, 3)).Should().NotContain("held by a quiet node");
        await using (var db = App.NewDbContext())
        {
            (await db.WebhookEvents.SingleAsync(e => e.Id == held.Id)).State.Should().Be(WebhookEventState.Pending, "another node holds it");
        }

        // The node's transaction ends (it crashed, or PostgreSQL ended it for sitting idle): the event is taken over.
        await transaction.DisposeAsync();
        await quietNode.DisposeAsync();
        (await WaitForMessagesAsync(tenant, 4)).Should().Contain("held by a quiet node");
        await using (var db = App.NewDbContext())
        {
            var processed = await db.WebhookEvents.SingleAsync(e => e.Id == held.Id);
            processed.State.Should().Be(WebhookEventState.Processed);
            processed.LeaseOwner.Should().BeNull("claiming wrote nothing to the row");
        }
    }

    [Fact]
    public async Task A_customer_whose_bucket_another_loop_holds_is_skipped_and_other_customers_flow_past()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var heldBody = Messages(phone, Text("a customer another loop holds", 1_750_000_100, from: "16505557200"));
        var bucket = SenderBucket.Of(heldBody)!.Value;

        // Another loop, on this node or another, is in the middle of a batch with this customer: it holds the bucket's lock.
        var otherLoop = new NpgsqlConnection(App.Database.ConnectionString);
        await otherLoop.OpenAsync();
        var transaction = await otherLoop.BeginTransactionAsync();
        await using (var lockBucket = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@class, @bucket)", otherLoop, transaction))
        {
            lockBucket.Parameters.AddWithValue("class", WebhookProcessor.SenderLockClass);
            lockBucket.Parameters.AddWithValue("bucket", bucket);
            await lockBucket.ExecuteNonQueryAsync();
        }

        (await App.PostSignedAsync(tenant.Id, heldBody)).StatusCode.Should().Be(HttpStatusCode.OK);
        var others = Enumerable.Range(0, 40).Select(i => $"165055573{i:D2}")
            .Where(n => SenderBucket.Of(Messages(phone, Text("x", from: n))) != bucket).Take(3).ToList();
        foreach (var (number, i) in others.Select((n, i) => (n, i)))
        {
            (await App.PostSignedAsync(tenant.Id, Messages(phone, Text($"flowing {i}", 1_750_000_110 + i, from: number)))).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        (await WaitForMessagesAsync(tenant, 3)).Should().NotContain("a customer another loop holds");
        await using (var db = App.NewDbContext())
        {
            var held = await db.WebhookEvents.Where(e => e.TenantId == tenant.Id && e.SenderKey == bucket).ToListAsync();
            held.Should().ContainSingle().Which.State.Should().Be(WebhookEventState.Pending, "its customer's bucket is held by another loop");
        }

        // The other loop commits: the customer's event is taken.
        await transaction.DisposeAsync();
        await otherLoop.DisposeAsync();
        (await WaitForMessagesAsync(tenant, 4)).Should().Contain("a customer another loop holds");
    }

    [Fact]
    public async Task Finding_the_next_batch_reads_only_pending_events_through_their_partial_index()
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        // Thousands of processed events kept for the replay window, older than anything pending: a scan in
        // key order would walk past every one of them on every claim.
        await using (var db = App.NewDbContext())
        {
            await db.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO "InboxEvents" ("Id", "TenantId", "ReceivedAt", "Body", "State", "Attempts", "NextAttemptAt", "ProcessedAt")
                SELECT ('00000000-0000-7000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, NULL, now() - interval '1 day', '\x00'::bytea,
                       'processed', 0, now() - interval '1 day', now() - interval '1 day'
                FROM generate_series(1, 20000) AS g
                """);
            await db.Database.ExecuteSqlRawAsync("""ANALYZE "InboxEvents" """);
        }

        var before = await PendingIndexScansAsync();
        (await App.PostSignedAsync(tenant.Id, Messages(phone, Text("after the backlog", 1_750_000_000)))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await WaitForMessagesAsync(tenant, 1)).Should().Contain("after the backlog");

        // Index statistics reach the shared view shortly after the transaction that used the index.
        var after = before;
        for (var i = 0; i < 50 && after == before; i++)
        {
            await Task.Delay(200);
            after = await PendingIndexScansAsync();
        }

        after.Should().BeGreaterThan(before, "the claim found its batch through IX_InboxEvents_Pending");
    }

    private async Task<long> PendingIndexScansAsync()
    {
        await using var connection = new NpgsqlConnection(App.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'IX_InboxEvents_Pending'""", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>
/// SQLite: a batch is claimed by the transaction that processes it, which holds the database's one writer; no lease is
/// written (ADR 0074). Another process holding the writer only delays the batch, and nothing about it is written meanwhile.
/// </summary>
public sealed class InboxClaimTests_Sqlite(SqliteAppFixture fixture) : InboxClaimTests(fixture), IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task Another_process_holding_the_writer_delays_the_batch_and_nothing_about_it_is_written_meanwhile()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var waiting = await AppendAsync(tenant.Id, Messages(phone, Text("after the other writer", 1_750_000_000, from: "16505557300")), TimeSpan.FromSeconds(1));

        // Another process on the same database file takes its one writer before the event falls due, and keeps it.
        await using var other = new SqliteConnection(App.Database.ConnectionString);
        await other.OpenAsync();
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE";
            await begin.ExecuteNonQueryAsync();
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        await using (var db = App.NewDbContext())
        {
            var held = await db.WebhookEvents.AsNoTracking().SingleAsync(e => e.Id == waiting.Id);
            held.State.Should().Be(WebhookEventState.Pending, "the processor cannot write while the other process holds the writer");
            held.LeaseOwner.Should().BeNull("claiming writes nothing");
            held.LeaseUntil.Should().BeNull();
        }

        await using (var commit = other.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            await commit.ExecuteNonQueryAsync();
        }

        (await WaitForMessagesAsync(tenant, 1)).Should().Contain("after the other writer");
        await using (var db = App.NewDbContext())
        {
            var processed = await db.WebhookEvents.AsNoTracking().SingleAsync(e => e.Id == waiting.Id);
            processed.State.Should().Be(WebhookEventState.Processed);
            processed.LeaseOwner.Should().BeNull();
        }
    }
}

/// <summary>What both databases' claim tests share: a tenant with a number, events appended straight to the inbox, and waiting for messages.</summary>
public abstract class InboxClaimTests(AppFixture fixture)
{
    protected SwitchboardApp App => fixture.App;

    /// <summary>Appends a signed-and-verified event straight to the inbox (as the webhook endpoint does), due after <paramref name="dueIn"/>.</summary>
    private protected async Task<WebhookEvent> AppendAsync(Guid tenantId, byte[] body, TimeSpan dueIn)
    {
        var now = DateTimeOffset.UtcNow;
        var inboxEvent = new WebhookEvent { Id = Guid.CreateVersion7(now), TenantId = tenantId, ReceivedAt = now, State = WebhookEventState.Pending, NextAttemptAt = now + dueIn };
        await App.Services.GetRequiredService<WebhookSealer>().SealAsync(inboxEvent, body, default);
        (await App.Services.GetRequiredService<WebhookJournal>().AppendAsync(inboxEvent, default)).Should().Be(AppendOutcome.Stored);
        return inboxEvent;
    }

    protected async Task<List<string>> WaitForMessagesAsync(TestTenant tenant, int count)
    {
        for (var i = 0; i < 150; i++)
        {
            var messages = await App.MessagesAsync(tenant);
            if (messages.Count >= count)
            {
                return [.. messages.Select(m => m!["text"]!.GetValue<string>())];
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Fewer than {count} messages were stored within 30 s.");
    }

    protected async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }
}
