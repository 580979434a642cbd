using CloudApiSimulator;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Hosting.Demo;

/// <summary>
/// <c>Switchboard__Demo=true</c>: the built-in Cloud API simulator is mounted at /simulator and Switchboard
/// talks to it instead of Meta; a demo tenant and number are seeded and a few customers write in, so a
/// newcomer sees messages arrive and replies get delivered without a Meta account.
/// </summary>
public static class DemoMode
{
    public const string SimulatorPrefix = SecurityHeaders.SimulatorPrefix;

    public static bool IsEnabled(IConfiguration configuration) =>
        bool.TryParse(configuration["Switchboard:Demo"], out var enabled) && enabled;

    public static WebApplicationBuilder AddDemoMode(this WebApplicationBuilder builder)
    {
        if (!IsEnabled(builder.Configuration))
        {
            return builder;
        }

        var settings = DemoSettings.From(builder.Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Switchboard:WhatsApp:GraphApiBaseUrl"] = settings.SelfUrl + SimulatorPrefix + SimulatorEndpoints.GraphPath,
        });
        builder.Services.AddSingleton(settings);
        builder.Services.AddCloudApiSimulator(builder.Configuration.GetSection("Switchboard:Demo:Simulator"), SimulatorPrefix);
        builder.Services.PostConfigure<SimulatorOptions>(o => o.Numbers.Add(new SimulatedNumber
        {
            PhoneNumberId = settings.PhoneNumberId,
            WabaId = DemoSettings.WabaId,
            DisplayPhoneNumber = DemoSettings.DisplayPhoneNumber,
            VerifiedName = DemoSettings.TenantName,
            AppSecret = settings.AppSecret,
            AccessToken = DemoSettings.AccessToken,
            WebhookUrl = $"{settings.SelfUrl}/webhooks/whatsapp/{settings.TenantId}",
        }));
        builder.Services.AddHostedService<DemoSeeder>();
        return builder;
    }

    public static WebApplication MapDemoMode(this WebApplication app)
    {
        if (IsEnabled(app.Configuration))
        {
            app.MapCloudApiSimulator(SimulatorPrefix);
        }

        return app;
    }
}

/// <summary>The demo's fixed names, and the parts CONTRACT.md lets scripts choose.</summary>
public sealed record DemoSettings(Guid TenantId, string PhoneNumberId, string AppSecret, string SelfUrl, string Password, bool WelcomeFlow = true)
{
    public const string AdminEmail = "admin@demo.test";
    public const string AgentEmail = "agent@demo.test";
    public const string OperatorEmail = "operator@demo.test";
    public const string DefaultPassword = "switchboard-demo";

    public const string TenantName = "Demo Business";
    public const string WabaId = "100000000000002";
    public const string DisplayPhoneNumber = "+1 555 010 0001";
    public const string AccessToken = "demo-access-token";
    public const string VerifyToken = "demo-verify-token";

    public static DemoSettings From(IConfiguration configuration)
    {
        var dataDirectory = configuration["Switchboard:DataDirectory"] ?? "./data";
        var tenantId = Guid.TryParse(configuration["Switchboard:Demo:TenantId"], out var configured) ? configured : StoredTenantId(dataDirectory);
        return new DemoSettings(
            tenantId,
            configuration["Switchboard:Demo:PhoneNumberId"] ?? "100000000000001",
            configuration["Switchboard:Demo:AppSecret"] ?? "demo-app-secret",
            SelfUrlFrom(configuration),
            string.IsNullOrEmpty(configuration["Switchboard:Demo:Password"]) ? DefaultPassword : configuration["Switchboard:Demo:Password"]!,

            // false: no welcome flow, so customers' first messages wait for a person (ADR 0045).
            !bool.TryParse(configuration["Switchboard:Demo:WelcomeFlow"], out var welcome) || welcome);
    }

    /// <summary>A random id the first time, kept in the data directory so a restart finds the same tenant.</summary>
    private static Guid StoredTenantId(string dataDirectory)
    {
        var path = Path.Combine(Path.GetFullPath(dataDirectory), "demo-tenant.id");
        if (File.Exists(path) && Guid.TryParse(File.ReadAllText(path).Trim(), out var stored))
        {
            return stored;
        }

        OwnerOnlyFiles.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path); // a file that does not hold an id is replaced
        var id = Guid.CreateVersion7();
        using (var writer = new StreamWriter(new FileStream(path, OwnerOnlyFiles.NewFile())))
        {
            writer.Write(id.ToString());
        }

        return id;
    }

    /// <summary>The server's own address (from --urls / ASPNETCORE_URLS), as the simulator must call it.</summary>
    private static string SelfUrlFrom(IConfiguration configuration)
    {
        var first = (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "http://localhost:5000").Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
        var uri = new Uri(first.Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        return $"{uri.Scheme}://{uri.Host}:{uri.Port}";
    }
}
