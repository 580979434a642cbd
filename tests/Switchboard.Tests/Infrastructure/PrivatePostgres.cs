using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of the test's own (initdb into a temporary folder, its own port), for tests that stop and
/// start the server under load, so that the shared test server is never restarted. The binaries are those of
/// scripts/postgres.sh (<c>SWITCHBOARD_TEST_PG_BIN</c>); as root the server runs as the postgres user, as there.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string bin;
    private readonly string data;

    private PrivatePostgres(string bin, string data, int port)
    {
        this.bin = bin;
        this.data = data;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The server's ADO.NET connection string without a database, like <c>SWITCHBOARD_TEST_POSTGRES</c>.</summary>
    public string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password=postgres";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_PG_BIN") is { Length: > 0 } b
            ? b
            : throw new InvalidOperationException("SWITCHBOARD_TEST_PG_BIN is not set. Run the suite with ./scripts/test.sh, which sets it.");
        var data = Path.Combine(Path.GetTempPath(), "switchboard-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        if (IsRoot)
        {
            await RunAsync("chown", "postgres:postgres", data);
        }

        var server = new PrivatePostgres(bin, data, SwitchboardProcess.FreePort());
        await AsPostgresAsync(Path.Combine(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        await server.StartServerAsync();
        return server;
    }

    /// <summary>Starts the server again on the same port and data (after <see cref="CrashAsync"/>); returns once it accepts connections.</summary>
    public async Task StartServerAsync()
    {
        await AsPostgresAsync(
            Path.Combine(bin, "pg_ctl"), "-D", data, "-l", Path.Combine(data, "server.log"), "-w", "-t", "60", "start",
            "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c full_page_writes=off");
        // This process's pooled connections to the server before it stopped are dead: drop them rather than meet them one by one.
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
    }

    /// <summary>Stops the server the hard way (<c>pg_ctl stop -m immediate</c>): every connection drops, no checkpoint; the next start recovers from the WAL.</summary>
    public Task CrashAsync() => AsPostgresAsync(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsPostgresAsync(Path.Combine(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static Task AsPostgresAsync(string program, params string[] arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output}{await errors}");
        }
    }
}
