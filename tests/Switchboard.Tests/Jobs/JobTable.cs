using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Jobs;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Jobs;

/// <summary>A job as the test table holds it.</summary>
internal sealed record JobRow(long Id, string State, int Attempts, DateTimeOffset DueAt, string? LeaseOwner, string? CompletedBy, string? LastError);

/// <summary>A due job read by <see cref="JobTable"/>; remembers who claimed it and which attempt runs.</summary>
internal sealed class TableJob(long id, int attempts)
{
    public long Id { get; } = id;

    public int Attempts { get; } = attempts;

    public int Attempt { get; set; }

    public Guid Owner { get; set; }
}

/// <summary>
/// The smallest real job source: a table of due items (due time, attempts, lease owner and end) in a
/// test database, with its claim written the way a feature's would be. The work is the test's.
/// </summary>
internal sealed class JobTable(TestDatabase database, TimeProvider clock, Func<TableJob, CancellationToken, Task> work) : IJobSource<TableJob>
{
    private readonly string table = "Jobs_" + Guid.NewGuid().ToString("N");
    private int sleeps;

    public JobSchedule Schedule { get; init; } = new("Test jobs", TimeSpan.FromMinutes(1));

    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(30);

    public int BatchSize => 8;

    public RetryPolicy Retry { get; init; } = new(3, new Backoff(TimeSpan.FromSeconds(1), 4, TimeSpan.FromSeconds(10)));

    /// <summary>How often a runner has read the next due time, which it does just before it sleeps.</summary>
    public int Sleeps => Volatile.Read(ref sleeps);

    public Task CreateAsync() => ExecuteAsync(
        $"""
        CREATE TABLE "{table}" (
            "Id" BIGINT PRIMARY KEY, "State" TEXT NOT NULL, "Attempts" INTEGER NOT NULL, "DueAt" BIGINT NOT NULL,
            "LeaseOwner" TEXT NULL, "LeaseUntil" BIGINT NULL, "CompletedBy" TEXT NULL, "LastError" TEXT NULL)
        """);

    public Task AddAsync(long id, DateTimeOffset dueAt) =>
        ExecuteAsync($"""INSERT INTO "{table}" ("Id", "State", "Attempts", "DueAt") VALUES (@id, 'pending', 0, @due)""", ("id", id), ("due", dueAt.ToUnixTimeMilliseconds()));

    public async Task<JobRow> ReadAsync(long id)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, $"""SELECT "Id", "State", "Attempts", "DueAt", "LeaseOwner", "CompletedBy", "LastError" FROM "{table}" WHERE "Id" = @id""", ("id", id));
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).Should().BeTrue();
        return new JobRow(
            reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
    }

    public async Task<IReadOnlyList<TableJob>> FindDueAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(
            connection,
            $"""
            SELECT "Id", "Attempts" FROM "{table}"
            WHERE "State" = 'pending' AND "DueAt" <= @now AND ("LeaseUntil" IS NULL OR "LeaseUntil" < @now)
            ORDER BY "DueAt", "Id" LIMIT @limit
            """,
            ("now", now.ToUnixTimeMilliseconds()),
            ("limit", limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var due = new List<TableJob>();
        while (await reader.ReadAsync(ct))
        {
            due.Add(new TableJob(reader.GetInt64(0), reader.GetInt32(1)));
        }

        return due;
    }

    public async Task<bool> ClaimAsync(TableJob job, Guid owner, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        job.Owner = owner;
        return await ExecuteAsync(
            $"""
            UPDATE "{table}" SET "LeaseOwner" = @owner, "LeaseUntil" = @until
            WHERE "Id" = @id AND "State" = 'pending' AND ("LeaseUntil" IS NULL OR "LeaseUntil" < @now)
            """,
            ("owner", owner.ToString()),
            ("until", leaseUntil.ToUnixTimeMilliseconds()),
            ("id", job.Id),
            ("now", clock.GetUtcNow().ToUnixTimeMilliseconds())) == 1;
    }

    public int AttemptsOf(TableJob job) => job.Attempts;

    public Task RunAsync(TableJob job, int attempt, CancellationToken ct)
    {
        job.Attempt = attempt;
        return work(job, ct);
    }

    public Task CompleteAsync(TableJob job, CancellationToken ct) => ExecuteAsync(
        $"""UPDATE "{table}" SET "State" = 'done', "Attempts" = @attempts, "CompletedBy" = @owner, "LeaseOwner" = NULL, "LeaseUntil" = NULL WHERE "Id" = @id""",
        ("attempts", job.Attempt),
        ("owner", job.Owner.ToString()),
        ("id", job.Id));

    public Task FailAsync(TableJob job, JobFailure failure, CancellationToken ct) => ExecuteAsync(
        $"""
        UPDATE "{table}" SET "State" = @state, "Attempts" = @attempts, "DueAt" = @due, "LastError" = @error, "LeaseOwner" = NULL, "LeaseUntil" = NULL
        WHERE "Id" = @id
        """,
        ("state", failure.GiveUp ? "quarantined" : "pending"),
        ("attempts", failure.Attempt),
        ("due", failure.NextAttemptAt.ToUnixTimeMilliseconds()),
        ("error", failure.Error),
        ("id", job.Id));

    public (string Error, bool Permanent) Classify(Exception error) => (error.GetType().Name, error is FormatException);

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, $"""SELECT MIN("DueAt") FROM "{table}" WHERE "State" = 'pending'""");
        var next = await command.ExecuteScalarAsync(ct) is long due ? DateTimeOffset.FromUnixTimeMilliseconds(due) : (DateTimeOffset?)null;
        Interlocked.Increment(ref sleeps);
        return next;
    }

    public async Task ReleaseAsync(IReadOnlyList<Guid> owners, CancellationToken ct)
    {
        foreach (var owner in owners)
        {
            await ExecuteAsync($"""UPDATE "{table}" SET "LeaseOwner" = NULL, "LeaseUntil" = NULL WHERE "LeaseOwner" = @owner AND "State" = 'pending'""", ("owner", owner.ToString()));
        }
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = database.Provider == DatabaseProvider.Sqlite ? new SqliteConnection(database.ConnectionString) : new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // The table name is generated here; values are parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private async Task<int> ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }
}

/// <summary>One throw-away database per test class and provider; each test makes its own table.</summary>
public abstract class JobDatabaseFixture(DatabaseProvider provider) : IAsyncLifetime
{
    public TestDatabase Database { get; } = TestDatabase.For(provider);

    public Task InitializeAsync() => Database.CreateAsync();

    public Task DisposeAsync() => Database.DisposeAsync().AsTask();
}

public sealed class SqliteJobDatabase() : JobDatabaseFixture(DatabaseProvider.Sqlite);

public sealed class PostgresJobDatabase() : JobDatabaseFixture(DatabaseProvider.Postgres);
