namespace CloudApiSimulator;

/// <summary>Mounts the simulator: the fake Graph API, the customers' API and the customer page.</summary>
public static class SimulatorEndpoints
{
    /// <summary>Where the fake Graph API lives under the prefix (callers use {prefix}/graph/v25.0).</summary>
    public const string GraphPath = "/graph/v25.0";

    public static IServiceCollection AddCloudApiSimulator(this IServiceCollection services, IConfiguration section, string prefix)
    {
        services.Configure<SimulatorOptions>(section);
        services.AddSingleton<SimulatorState>();
        services.AddSingleton<WebhookPoster>();
        services.AddSingleton<StatusScheduler>();
        services.AddSingleton(new SimulatorUrls(prefix));
        services.AddHttpClient("webhooks", c => c.Timeout = TimeSpan.FromSeconds(20));
        return services;
    }

    public static IEndpointRouteBuilder MapCloudApiSimulator(this IEndpointRouteBuilder routes, string prefix)
    {
        var root = routes.MapGroup(prefix.TrimEnd('/')).ExcludeFromDescription().AllowAnonymous();
        GraphApi.Map(root.MapGroup(GraphPath));
        root.MapGet("/media/{id}", GraphApi.Download);
        root.MapGet("/api/numbers", Customers.Numbers);
        root.MapGet("/api/stats", Customers.Stats);
        root.MapGet("/api/stats/{phoneNumberId}", Customers.NumberStats);
        root.MapGet("/api/sent", Customers.SentByText);
        root.MapPost("/api/customers/{waId}/messages", Customers.SendAsync);
        root.MapGet("/api/customers/{waId}/chat", Customers.Chat);
        root.MapGet("/api/media/{id}", Customers.Media);
        root.MapGet("/", () => Results.Content(Page.Html, "text/html; charset=utf-8"));
        return routes;
    }
}

internal static class Page
{
    public static readonly string Html = Load();

    private static string Load()
    {
        using var stream = typeof(Page).Assembly.GetManifestResourceStream("CloudApiSimulator.index.html")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
