using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;
using Switchboard.Common.Configuration;

namespace Switchboard.Tests.Infrastructure;

/// <summary>A throw-away database of one provider: a SQLite file, or a fresh PostgreSQL database.</summary>
public abstract class TestDatabase : IAsyncDisposable
{
    public abstract DatabaseProvider Provider { get; }

    public abstract string ConnectionString { get; }

    public string ProviderName => Provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";

    public abstract Task CreateAsync();

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
