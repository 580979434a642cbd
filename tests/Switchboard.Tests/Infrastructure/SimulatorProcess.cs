using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// The Cloud API simulator in a process of its own (<c>dotnet CloudApiSimulator.dll</c>, built next to the tests), standing for
/// Meta the way Meta stands apart from Switchboard: it stamps when each send arrived on its own threads, so a stall of the test
/// process cannot bunch arrivals into one instant (ADR 0059). What it saw is read over its HTTP API.
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly HttpClient client;

    private SimulatorProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    /// <summary>Starts the simulator on a free port with the given <c>Simulator:*</c> settings and waits until it answers.</summary>
    public static async Task<SimulatorProcess> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var port = SwitchboardProcess.FreePort();
        var start = SwitchboardProcess.Dotnet(AppContext.BaseDirectory, "CloudApiSimulator.dll", settings, "--urls", $"http://127.0.0.1:{port}");
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var simulator = new SimulatorProcess(process, new Uri($"http://127.0.0.1:{port}"));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await simulator.client.GetAsync("/api/stats");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return simulator;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                await simulator.DisposeAsync();
                throw new InvalidOperationException($"The simulator did not start ({clock.Elapsed.TotalSeconds:F0} s).");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>When the number's sends were accepted, and when refused for its throughput (130429), in microseconds since 0001-01-01 UTC.</summary>
    public async Task<(long[] Accepted, long[] Throttled)> ArrivalsAsync(string phoneNumberId)
    {
        var stats = await client.GetFromJsonAsync<NumberStats>($"/api/stats/{phoneNumberId}");
        return (stats!.AcceptedAtMicroseconds, stats.ThrottledAtMicroseconds);
    }

    /// <summary>
    /// The number's accepted sends, when each arrived (microseconds since 0001-01-01 UTC) and the wamid it got, and when sends
    /// were refused for its throughput.
    /// </summary>
    public async Task<(List<(long At, string Wamid)> Accepted, long[] Throttled)> SendsAsync(string phoneNumberId)
    {
        var stats = await client.GetFromJsonAsync<NumberStats>($"/api/stats/{phoneNumberId}");
        return ([.. stats!.AcceptedAtMicroseconds.Zip(stats.AcceptedWamids)], stats.ThrottledAtMicroseconds);
    }

    /// <summary>How many times each business message reached a customer, by its text.</summary>
    public async Task<Dictionary<string, int>> SentByTextAsync() =>
        (await client.GetFromJsonAsync<SentTexts>("/api/sent"))!.Counts;

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private sealed record NumberStats(
        [property: JsonPropertyName("acceptedAtMicroseconds")] long[] AcceptedAtMicroseconds,
        [property: JsonPropertyName("acceptedWamids")] string[] AcceptedWamids,
        [property: JsonPropertyName("throttledAtMicroseconds")] long[] ThrottledAtMicroseconds);

    private sealed record SentTexts([property: JsonPropertyName("counts")] Dictionary<string, int> Counts);
}
