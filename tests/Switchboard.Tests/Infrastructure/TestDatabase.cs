using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A throw-away database of one provider: a SQLite file, or a fresh PostgreSQL database.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract DatabaseProvider Provider { get; }

    public abstract string ConnectionString { get; }

    public string ProviderName => Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";

    public abstract Task CreateAsync();

    /// <summary>
    /// Creates the database with every migration already applied, copied from a database migrated once per test
    /// run: migrating a new database for each of the suite's few hundred app fixtures cost more than many of their
    /// tests. The app finds no migration pending and starts as a node does on an existing database. Tests of the
    /// migrations themselves use <see cref="CreateAsync"/>.
    /// </summary>
    public abstract Task CreateMigratedAsync();

    /// <summary>Everything the database holds on disk, as bytes: the SQLite files, or a pg_dump.</summary>
    public abstract Task<byte[]> DumpAsync();

    public abstract ValueTask DisposeAsync();

    public static TestDatabase For(DatabaseProvider provider) =>
        provider == DatabaseProvider.Sqlite ? new SqliteTestDatabase() : new PostgresTestDatabase();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"));

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    public string FilePath => Path.Combine(directory, "switchboard.db");

    public override string ConnectionString => new SqliteConnectionStringBuilder { DataSource = FilePath, DefaultTimeout = 30 }.ToString();

    public override Task CreateAsync()
    {
        Directory.CreateDirectory(directory);
        return Task.CompletedTask;
    }

    public override async Task CreateMigratedAsync()
    {
        Directory.CreateDirectory(directory);
        File.Copy(await Template.Value, FilePath);
    }

    private static readonly Lazy<Task<string>> Template = new(MigrateTemplateAsync);

    private static async Task<string> MigrateTemplateAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), "switchboard-tests", "template-" + Guid.NewGuid().ToString("N"), "switchboard.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        var options = new DbContextOptionsBuilder<SwitchboardDbContext>();
        PersistenceSetup.Configure(options, DatabaseProvider.Sqlite, connectionString);
        await using (var db = new SwitchboardDbContext(options.Options))
        {
            await db.Database.MigrateAsync();

            // As the migrator leaves it (the mode is stored in the file), with the log folded in so that one file is the whole database.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        return file;
    }

    public override async Task<byte[]> DumpAsync()
    {
        SqliteConnection.ClearAllPools();
        using var all = new MemoryStream();
        foreach (var file in Directory.GetFiles(directory, "switchboard.db*"))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await stream.CopyToAsync(all);
        }

        return all.ToArray();
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh database on the shared test server, or on <paramref name="server"/> (a connection string without a database).</summary>
public sealed class PostgresTestDatabase(string? server = null) : TestDatabase
{
    private readonly string name = "sbtest_" + Guid.NewGuid().ToString("N");

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "SWITCHBOARD_TEST_POSTGRES is not set. Run the suite with ./scripts/test.sh, which starts PostgreSQL and sets it.");

    public string DatabaseName => name;

    public override string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = name }.ToString();

    private string Server => server ?? ServerConnectionString;

    public override async Task CreateAsync()
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public override async Task CreateMigratedAsync()
    {
        if (server is not null)
        {
            // A private server (restart tests) has no template: migrate as the app would.
            await CreateAsync();
            return;
        }

        var template = await Template.Value;
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static readonly Lazy<Task<string>> Template = new(MigrateTemplateAsync);

    /// <summary>
    /// One template per test run, named for its start; those of runs over a day old on a developer's server are dropped
    /// (a younger one may belong to a run still going).
    /// </summary>
    private static async Task<string> MigrateTemplateAsync()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var template = $"sbtest_template_{now}_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            var stale = new List<string>();
            await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'sbtest\\_template\\_%'", connection))
            await using (var reader = await list.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    var old = reader.GetString(0);
                    if (long.TryParse(old.Split('_')[2], System.Globalization.CultureInfo.InvariantCulture, out var started) && now - started > 86_400)
                    {
                        stale.Add(old);
                    }
                }
            }

            foreach (var old in stale)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{old}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }

            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{template}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        // No pooled connection may stay open on a template: CREATE DATABASE … TEMPLATE refuses one in use.
        var connectionString = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = template, Pooling = false }.ToString();
        var options = new DbContextOptionsBuilder<SwitchboardDbContext>();
        PersistenceSetup.Configure(options, DatabaseProvider.Postgres, connectionString);
        await using (var db = new SwitchboardDbContext(options.Options))
        {
            await db.Database.MigrateAsync();
        }

        return template;
    }

    public override async Task<byte[]> DumpAsync()
    {
        var host = new NpgsqlConnectionStringBuilder(Server);
        var binDirectory = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_PG_BIN");
        var pgDump = string.IsNullOrEmpty(binDirectory) ? "pg_dump" : Path.Combine(binDirectory, "pg_dump");
        var start = new ProcessStartInfo(pgDump)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-h", host.Host!, "-p", host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", host.Username!, "--no-owner", name },
        };
        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = await process.StandardError.ReadToEndAsync();
        await copy;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_dump failed: {errors}");
        }

        return output.ToArray();
    }

    public override async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
