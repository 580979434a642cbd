using CloudApiSimulator;
using Switchboard.Common.Configuration;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// Several real Switchboard processes on one PostgreSQL database, with the Cloud API simulator (a process of its own,
/// answering for any number like Meta, at Meta's per-number limit) as their Graph API.
/// Nodes can be SIGKILLed and started again on the same settings.
/// </summary>
public sealed partial class SwitchboardCluster : IAsyncDisposable
{
    public const string OperatorKey = "operator-key-for-the-cluster";
    private readonly Dictionary<string, string?> settings;
    private readonly SwitchboardProcess?[] nodes;
    private readonly int[] ports;

    private SwitchboardCluster(TestDatabase database, SimulatorProcess simulator, Dictionary<string, string?> settings, int size)
    {
        Database = database;
        Meta = simulator;
        this.settings = settings;
        nodes = new SwitchboardProcess?[size];
        ports = [.. Enumerable.Range(0, size).Select(_ => SwitchboardProcess.FreePort())];
    }

    public TestDatabase Database { get; }

    /// <summary>Meta: what the simulator saw (when each number's sends arrived, what reached customers) is read from it over HTTP.</summary>
    public SimulatorProcess Meta { get; }

    public int Size => nodes.Length;

    /// <summary>
    /// Starts the simulator and the nodes: the first alone (it migrates the new database), then the rest together. The
    /// database is a new one on the shared test server unless given (created, and then disposed with the cluster).
    /// </summary>
    public static async Task<SwitchboardCluster> StartAsync(int size, int metaMessagesPerSecond, IReadOnlyDictionary<string, string?>? extra = null, TestDatabase? database = null)
    {
        // Meta's front end does not share threads with our test: the simulator runs in its own process and stamps arrivals there (ADR 0059).
        var simulator = await SimulatorProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Simulator:AcceptUnknownNumbers"] = "true",
            ["Simulator:MessagesPerSecond"] = metaMessagesPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var address = simulator.Address.ToString().TrimEnd('/');

        if (database is null)
        {
            database = TestDatabase.For(DatabaseProvider.Postgres);
            await database.CreateAsync();
        }

        var settings = SwitchboardProcess.Settings(database, "cluster", OperatorKey);
        settings["Switchboard:WhatsApp:GraphApiBaseUrl"] = address + SimulatorEndpoints.GraphPath;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var cluster = new SwitchboardCluster(database, simulator, settings, size);
        try
        {
            await cluster.StartNodeAsync(0);
            await Task.WhenAll(Enumerable.Range(1, size - 1).Select(cluster.StartNodeAsync));
            return cluster;
        }
        catch
        {
            // Nothing of a cluster that did not start lingers (processes, ports, the simulator, the database).
            await cluster.DisposeAsync();
            throw;
        }
    }

    public bool IsLive(int node) => nodes[node] is { HasExited: false };

    public IEnumerable<int> LiveNodes => Enumerable.Range(0, Size).Where(IsLive);

    /// <summary>A client of the node, with the given bearer key.</summary>
    public HttpClient Client(int node, string? bearer = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports[node]}"), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    /// <summary>The node whose process has this id, or -1.</summary>
    public int NodeOfProcess(int processId) => Array.FindIndex(nodes, n => n is { HasExited: false } && n.ProcessId == processId);

    /// <summary>Starts the node on its port with its own data directory (again, after a kill).</summary>
    public async Task StartNodeAsync(int node)
    {
        var own = new Dictionary<string, string?>(settings)
        {
            ["Switchboard:DataDirectory"] = Path.Combine(Path.GetTempPath(), "switchboard-tests", $"cluster-{node}-" + Guid.NewGuid().ToString("N")),
        };
        if (nodes[node] is { } old)
        {
            // Killed: only its handle is left.
            nodes[node] = null;
            await old.DisposeAsync();
        }

        nodes[node] = await SwitchboardProcess.StartAsync(own, ports[node]);
    }

    /// <summary>Starts every node that is not running (a test's first step: an earlier test may have killed some).</summary>
    public Task EnsureLiveAsync() => Task.WhenAll(Enumerable.Range(0, Size).Where(n => !IsLive(n)).Select(StartNodeAsync));

    /// <summary>Starts the node again in the background, trying again if a start fails (a loaded machine can be slow to start one).</summary>
    public async Task RestartAsync(int node, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3 && !ct.IsCancellationRequested; attempt++)
        {
            try
            {
                await StartNodeAsync(node);
                return;
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                // Not ready in time, or exited during start: the failed process is gone; try once more.
            }
        }
    }

    /// <summary>The last warnings and errors each node wrote (for a failing test's output).</summary>
    public string Outputs() => string.Join(
        Environment.NewLine,
        Enumerable.Range(0, Size).Select(n => $"--- node {n} ({(IsLive(n) ? "live" : "down")}):{Environment.NewLine}{nodes[n]?.Output}"));

    /// <summary>SIGKILL: nothing graceful.</summary>
    public void Kill(int node) => nodes[node]?.KillHard();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in nodes.OfType<SwitchboardProcess>())
        {
            await node.DisposeAsync();
        }

        await Meta.DisposeAsync();
        await Database.DisposeAsync();
    }
}
