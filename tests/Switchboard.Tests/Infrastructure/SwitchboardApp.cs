using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Common.Persistence;

namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// Switchboard running its real pipeline in-process against a real database of the given provider,
/// with its own data directory, master key and operator key.
/// </summary>
public sealed class SwitchboardApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    // Services added after the app's own (for example a feature step that records what it sees).
    private readonly Action<IServiceCollection>? extraServices;

    public SwitchboardApp(TestDatabase database, IDictionary<string, string?>? overrides = null, string? dataDirectory = null, Action<IServiceCollection>? services = null)
    {
        Database = database;
        extraServices = services;
        DataDirectory = dataDirectory ?? Path.Combine(Path.GetTempPath(), "switchboard-tests", "data-" + Guid.NewGuid().ToString("N"));
        OperatorKey = "op_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        settings = new Dictionary<string, string?>
        {
            ["Switchboard:DataDirectory"] = DataDirectory,
            ["Switchboard:Database:Provider"] = database.ProviderName,
            ["ConnectionStrings:Switchboard"] = database.ConnectionString,
            ["Switchboard:MasterKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Switchboard:OperatorApiKey"] = OperatorKey,
            // The test host runs with the production rules, which require the public base URL (links are
            // built from it); it is the address test clients use.
            ["Switchboard:PublicBaseUrl"] = "http://localhost",
            // Every test request comes from one (empty) address: keep the per-address sign-in limit out of
            // the way of tests that sign in many times; RateLimitTests set their own low limits.
            ["Switchboard:RateLimits:Login:PermitLimit"] = "100000",

            // Two processing loops on PostgreSQL (the default is one), so the tests exercise the row locks,
            // SKIP LOCKED claims and the new-customer lock that keep parallel loops correct.
            ["Switchboard:Webhooks:ProcessorConcurrency"] = "2",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",

            // Connecting a number asks the Graph API about it: never the real one.
            ["Switchboard:WhatsApp:GraphApiBaseUrl"] = FakeGraphApi.Shared.GraphApiBaseUrl,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    public string DataDirectory { get; }

    public string OperatorKey { get; }

    /// <summary>Every log line the app wrote, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

    public string? MasterKey => settings["Switchboard:MasterKey"];

    public IReadOnlyDictionary<string, string?> Settings => settings;

    public HttpClient OperatorClient() => ClientWithKey(OperatorKey);

    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>A DbContext straight on the app's database, for assertions that look under the API.</summary>
    internal SwitchboardDbContext NewDbContext() =>
        Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>().CreateDbContext();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment("Testing");
        if (extraServices is not null)
        {
            builder.ConfigureServices(extraServices);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
    }
}
