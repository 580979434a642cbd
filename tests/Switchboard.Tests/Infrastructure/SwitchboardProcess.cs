using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// The real server as a separate process on a real port (dotnet Switchboard.dll), for tests that must
/// kill it the hard way (SIGKILL) and start it again on the same database.
/// </summary>
public sealed class SwitchboardProcess : IAsyncDisposable
{
    private const int KeptLines = 200;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private readonly Process process;
    private readonly Queue<string> lastLines = new();

    private SwitchboardProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>The last lines the process wrote (warnings and errors; the log level is Warning), for a failing test's message.</summary>
    public string Output
    {
        get
        {
            lock (lastLines)
            {
                return string.Join(Environment.NewLine, lastLines);
            }
        }
    }

    public Uri BaseAddress { get; }

    /// <summary>The server's process id (<c>dotnet Switchboard.dll</c> runs the server in the host's own process).</summary>
    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public static async Task<SwitchboardProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, int port)
    {
        var start = Dotnet(ServerDirectory(), "Switchboard.dll", settings, "--urls", $"http://127.0.0.1:{port}");

        // The process runs in the Production environment, which requires the public base URL: its own address.
        start.Environment["Switchboard__PublicBaseUrl"] = $"http://127.0.0.1:{port}";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        var server = new SwitchboardProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync();
        }
        catch
        {
            // A server that never became ready must not linger on its port.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Runs an operator command (<c>dotnet Switchboard.dll backup …</c>) with the server's settings as environment variables; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        using var process = Process.Start(Dotnet(ServerDirectory(), "Switchboard.dll", settings, arguments))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await errors);
    }

    /// <summary>
    /// <c>dotnet {dll} {arguments}</c> from <paramref name="directory"/>, its output redirected, with <paramref name="settings"/> as
    /// environment variables (<c>A:B</c> as <c>A__B</c>).
    /// </summary>
    internal static ProcessStartInfo Dotnet(string directory, string dll, IEnumerable<KeyValuePair<string, string?>> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { Path.Combine(directory, dll) },
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return start;
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>SIGKILL: no shutdown hooks, no flushing, nothing graceful.</summary>
    public void KillHard()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    /// <summary>What every such server needs: its own data directory, the database, a fresh master key and an operator key.</summary>
    public static Dictionary<string, string?> Settings(TestDatabase database, string name, string operatorKey) => new()
    {
        ["Switchboard:DataDirectory"] = Path.Combine(Path.GetTempPath(), "switchboard-tests", name + "-" + Guid.NewGuid().ToString("N")),
        ["Switchboard:Database:Provider"] = database.ProviderName,
        ["ConnectionStrings:Switchboard"] = database.ConnectionString,
        ["Switchboard:MasterKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Switchboard:OperatorApiKey"] = operatorKey,
        ["Switchboard:WhatsApp:GraphApiBaseUrl"] = FakeGraphApi.Shared.GraphApiBaseUrl,
    };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = CreateClient();

        // A fresh process's first request compiles the whole pipeline: on a loaded machine that takes seconds, and a
        // probe given up on early only adds another one to the queue.
        client.Timeout = TimeSpan.FromSeconds(10);

        // Generous: a child process on a loaded two-core machine can take long to start; a healthy one is ready in about a second.
        var clock = Stopwatch.StartNew();
        var last = "no answer";
        while (clock.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Switchboard exited with code {process.ExitCode} before it was ready ({clock.Elapsed.TotalSeconds:F0} s). Its output:{Environment.NewLine}{Output}");
            }

            try
            {
                var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = $"no answer within {client.Timeout.TotalSeconds:F0} s";
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Switchboard did not become ready within {StartTimeout.TotalSeconds:F0} s (last probe: {last}). Its output:{Environment.NewLine}{Output}");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lastLines)
        {
            lastLines.Enqueue(line);
            while (lastLines.Count > KeptLines)
            {
                lastLines.Dequeue();
            }
        }
    }

    /// <summary>The server's build output next to this test build (same configuration).</summary>
    private static string ServerDirectory()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var framework = testDirectory.Name;
        var configuration = testDirectory.Parent!.Name;
        var dir = testDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }

        var serverDirectory = Path.Combine(dir!.FullName, "src", "Switchboard", "bin", configuration, framework);
        return File.Exists(Path.Combine(serverDirectory, "Switchboard.dll"))
            ? serverDirectory
            : throw new InvalidOperationException($"Build the server first: {serverDirectory} has no Switchboard.dll.");
    }
}
