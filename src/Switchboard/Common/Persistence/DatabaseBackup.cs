using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;
using Switchboard.Common.Configuration;

namespace Switchboard.Common.Persistence;

/// <summary>
/// Copies the database into a backup folder and back (ADR 0038): PostgreSQL with <c>pg_dump -Fc</c> and
/// <c>pg_restore --clean</c>, SQLite with its online backup API. The provider-specific half of the backup commands.
/// </summary>
internal sealed class DatabaseBackup(DatabaseProvider provider, string connectionString, string? postgresBinDirectory)
{
    public const string SqliteFile = "switchboard.db";
    public const string PostgresFile = "database.dump";

    public string FileName => provider == DatabaseProvider.Sqlite ? SqliteFile : PostgresFile;

    public async Task BackUpAsync(string folder, TextWriter output, CancellationToken ct)
    {
        var target = Path.Combine(folder, FileName);
        if (provider == DatabaseProvider.Sqlite)
        {
            // The online backup API copies a consistent snapshot while the server keeps writing.
            await using var source = new SqliteConnection(connectionString);
            await source.OpenAsync(ct);
            await using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
            await copy.OpenAsync(ct);
            source.BackupDatabase(copy);
            // One self-contained file (no -wal beside it), which a restore can open read-only.
            await using (var journal = new SqliteCommand("PRAGMA journal_mode=DELETE;", copy))
            {
                await journal.ExecuteNonQueryAsync(ct);
            }

            await copy.CloseAsync();
            return;
        }

        await RunAsync("pg_dump", ["--format=custom", "--no-owner", "--verbose", "--file", target], output, ct);
    }

    public async Task RestoreAsync(string folder, TextWriter output, CancellationToken ct)
    {
        var source = Path.Combine(folder, FileName);
        if (provider == DatabaseProvider.Sqlite)
        {
            // The same API the other way: the configured file becomes the backup's pages, WAL included.
            await using var backup = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await backup.OpenAsync(ct);
            await using var live = new SqliteConnection(connectionString);
            await live.OpenAsync(ct);
            backup.BackupDatabase(live);
            SqliteConnection.ClearAllPools();
            return;
        }

        await RunAsync("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error", "--verbose", source], output, ct);
    }

    /// <summary>Other sessions on the PostgreSQL database (a running node, a console), which a restore would pull the tables from under.</summary>
    public async Task<int> OtherSessionsAsync(CancellationToken ct)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            return 0;
        }

        // Generous time-outs: an operator command on a loaded host should wait rather than fail.
        var patient = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 120, CommandTimeout = 120 };
        await using var connection = new NpgsqlConnection(patient.ToString());
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", connection);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private async Task RunAsync(string tool, string[] arguments, TextWriter output, CancellationToken ct)
    {
        var cs = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(string.IsNullOrWhiteSpace(postgresBinDirectory) ? tool : Path.Combine(postgresBinDirectory, tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The connection goes in libpq's environment, so the password is on no command line.
        start.ArgumentList.Add("--dbname=" + cs.Database);
        start.Environment["PGHOST"] = cs.Host;
        start.Environment["PGPORT"] = cs.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = cs.Username;
        start.Environment["PGPASSWORD"] = cs.Password;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} could not be started.");
        var lines = 0;
        process.ErrorDataReceived += (_, e) =>
        {
            // --verbose names each table as it goes: a line of progress every 20 of them.
            if (e.Data is not null && Interlocked.Increment(ref lines) % 20 == 0)
            {
                output.WriteLine($"  {tool}: {e.Data}");
            }
        };
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && (e.Data.Contains("error", StringComparison.OrdinalIgnoreCase) || e.Data.Contains("fatal", StringComparison.OrdinalIgnoreCase)))
            {
                lock (errors)
                {
                    errors.Add(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed with exit code {process.ExitCode}: {string.Join(" | ", errors)}");
        }
    }
}
