using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;
using Switchboard.Features.Tenants;

namespace Switchboard.Hosting.Demo;

/// <summary>
/// Seeds the demo once the server is up: the demo tenant and its number (wired to the simulator), then a
/// few simulated customers write in — through real signed webhooks — and an agent reply goes out, so
/// there is something to look at and a full round trip (received → replied → delivered → read) to watch.
/// </summary>
internal sealed partial class DemoSeeder(
    DemoSettings settings,
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    KeyRing keyRing,
    MigrationState migrations,
    IHostApplicationLifetime lifetime,
    IHttpClientFactory httpFactory,
    IConfiguration configuration,
    IServiceScopeFactory scopes,
    TimeProvider clock,
    ILogger<DemoSeeder> logger) : BackgroundService
{
    private const string KeyFileName = "demo-tenant.key";
    private const string WelcomeFlowName = "Welcome";

    /// <summary>The customers who write in when the demo is first seeded; the first is answered by an agent.</summary>
    private static readonly (string WaId, string Name, object Message)[] SeededCustomers =
    [
        ("16505551234", "Sheena Nelson", new { type = "text", text = "Hi! Does the Aloe plant come in a bigger pot?" }),
        ("447700900123", "Oliver Smith", new { type = "image", text = "This arrived damaged 😞" }),
        ("5511987654321", "Ana Souza", new { type = "location", latitude = -23.5505, longitude = -46.6333, text = "São Paulo store?" }),
    ];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStartedAsync(stoppingToken);
        while (!migrations.IsCurrent)
        {
            await Task.Delay(200, stoppingToken);
        }

        try
        {
            var apiKey = await EnsureTenantAsync(stoppingToken);
            await EnsureUsersAsync(stoppingToken);
            using var api = httpFactory.CreateClient();
            api.BaseAddress = new Uri(settings.SelfUrl);
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
            await EnsureChannelAsync(api, stoppingToken);
            await SeedConversationsAsync(api, stoppingToken);
            if (settings.WelcomeFlow)
            {
                await EnsureWelcomeFlowAsync(api, stoppingToken);
            }

            PrintWelcome(apiKey);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogSeedFailed(ex.GetType().Name);
        }
    }

    /// <summary>
    /// The demo tenant and its admin API key, kept in the data directory. A start stopped after the tenant was
    /// committed but before the key file was written finds the tenant without a key: it mints a new admin key
    /// (audited like any other) instead of failing on every later start.
    /// </summary>
    private async Task<string> EnsureTenantAsync(CancellationToken ct)
    {
        var keyPath = Path.Combine(Path.GetFullPath(configuration["Switchboard:DataDirectory"] ?? "./data"), KeyFileName);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var exists = await db.Tenants.AnyAsync(t => t.Id == settings.TenantId, ct);
        if (exists && File.Exists(keyPath))
        {
            return (await File.ReadAllTextAsync(keyPath, ct)).Trim();
        }

        string apiKey;
        if (exists)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            (_, apiKey) = await TokensApi.CreateAsync(
                db, settings.TenantId, new TokensApi.CreateRequest("Tenant admin key", [SwitchboardClaims.AllScopes], null),
                ApiTokenKind.TenantAdmin, null, AuditActor.System, clock.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        else
        {
            (_, apiKey) = await CreateTenant.ProvisionAsync(db, keyRing, clock, settings.TenantId, DemoSettings.TenantName, AuditActor.System, ct);
        }

        File.Delete(keyPath);
        CryptoSetup.WriteOwnerOnly(keyPath, apiKey);
        return apiKey;
    }

    /// <summary>admin@demo.test (tenant admin) and agent@demo.test (agent), without MFA, with the configured demo password.</summary>
    private async Task EnsureUsersAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SwitchboardUser>>();
        var db = scope.ServiceProvider.GetRequiredService<SwitchboardDbContext>();
        var people = new (string Email, string Name, TenantRole? Role)[]
        {
            (DemoSettings.AdminEmail, "Demo Admin", TenantRole.Admin),
            (DemoSettings.AgentEmail, "Demo Agent", TenantRole.Agent),
            (DemoSettings.OperatorEmail, "Demo Operator", null),
        };
        foreach (var (email, name, role) in people)
        {
            var now = clock.GetUtcNow();
            var user = await users.FindByEmailAsync(email);
            if (user is null)
            {
                user = new SwitchboardUser { Id = Guid.CreateVersion7(now), UserName = email, Email = email, EmailConfirmed = true, DisplayName = name, CreatedAt = now, IsPlatformOperator = role is null };
                var created = await users.CreateAsync(user, settings.Password);
                if (!created.Succeeded)
                {
                    LogDemoUserFailed(email, string.Join(" ", created.Errors.Select(e => e.Code)));
                    continue;
                }
            }

            if (role is null)
            {
                continue;
            }

            if (!await db.Memberships.AnyAsync(m => m.TenantId == settings.TenantId && m.UserId == user.Id, ct))
            {
                db.Memberships.Add(new Membership { TenantId = settings.TenantId, UserId = user.Id, Role = role.Value, CreatedAt = now, UpdatedAt = now });
                await db.SaveChangesAsync(ct);
            }
        }
    }

    private async Task EnsureChannelAsync(HttpClient api, CancellationToken ct)
    {
        var channels = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{settings.TenantId}/channels", ct);
        if (channels!["items"]!.AsArray().Count > 0)
        {
            return;
        }

        var response = await api.PostAsJsonAsync($"/api/v1/tenants/{settings.TenantId}/channels", new
        {
            phoneNumberId = settings.PhoneNumberId,
            wabaId = DemoSettings.WabaId,
            displayPhoneNumber = DemoSettings.DisplayPhoneNumber,
            appId = "100000000000003",
            appSecret = settings.AppSecret,
            accessToken = DemoSettings.AccessToken,
            verifyToken = DemoSettings.VerifyToken,
        }, ct);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Each seeded customer writes once: a start stopped halfway lets the next start write for the others.</summary>
    private async Task SeedConversationsAsync(HttpClient api, CancellationToken ct)
    {
        var page = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{settings.TenantId}/conversations", ct);
        var existing = page!["items"]!.AsArray().Select(c => c!["contact"]!["waId"]?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (waId, name, message) in SeededCustomers.Where(c => !existing.Contains(c.WaId)))
        {
            await CustomerWritesAsync(api, waId, name, message, ct);
        }

        // An agent answers the first customer: the reply goes through the outbox to the simulator, whose
        // phone then reports sent → delivered → read back through status webhooks. Its idempotency key makes
        // a repeat from a later start the same reply, never a second one.
        var conversation = await WaitForConversationAsync(api, SeededCustomers[0].WaId, ct);
        if (conversation is not null)
        {
            using var reply = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/tenants/{settings.TenantId}/conversations/{conversation}/messages")
            {
                Content = JsonContent.Create(new
                {
                    type = "buttons",
                    text = "Hi Sheena! Yes — it comes in a 20 cm and a 30 cm pot. Which one would you like?",
                    buttons = new[] { new { id = "pot-20", title = "20 cm" }, new { id = "pot-30", title = "30 cm" } },
                }),
            };
            reply.Headers.Add("Idempotency-Key", "demo-seed-reply");
            (await api.SendAsync(reply, ct)).EnsureSuccessStatusCode();
        }
    }

    /// <summary>
    /// The welcome flow with a department menu routing to two teams (ADR 0045). Published only once the seeded
    /// customers' conversations exist, so the bot greets new conversations and leaves those as they are;
    /// <c>Switchboard:Demo:WelcomeFlow=false</c> leaves it out. Every step finds what an earlier, interrupted
    /// start made (teams by name, the flow by name, a flow left as a draft) and goes on from there.
    /// </summary>
    private async Task EnsureWelcomeFlowAsync(HttpClient api, CancellationToken ct)
    {
        var flows = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{settings.TenantId}/flows", ct);
        var welcome = flows!["items"]!.AsArray().FirstOrDefault(f => f!["name"]!.GetValue<string>() == WelcomeFlowName);
        if (welcome is not null)
        {
            if (welcome["status"]!.GetValue<string>() != "published")
            {
                await PublishAsync(api, welcome["id"]!.GetValue<Guid>(), ct);
            }

            return;
        }

        if (flows["items"]!.AsArray().Count > 0)
        {
            return; // the tenant's own flows: the demo adds none beside them
        }

        foreach (var customer in SeededCustomers)
        {
            await WaitForConversationAsync(api, customer.WaId, ct);
        }

        var teams = (await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{settings.TenantId}/teams", ct))!["items"]!.AsArray();

        async Task<Guid> TeamAsync(string name)
        {
            if (teams.FirstOrDefault(t => t!["name"]!.GetValue<string>() == name) is { } team)
            {
                return team["id"]!.GetValue<Guid>();
            }

            var created = await api.PostAsJsonAsync($"/api/v1/tenants/{settings.TenantId}/teams", new { name, memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 5 }, ct);
            created.EnsureSuccessStatusCode();
            return (await created.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<Guid>();
        }

        var orders = await TeamAsync("Orders");
        var care = await TeamAsync("Plant care");
        var flow = await api.PostAsJsonAsync($"/api/v1/tenants/{settings.TenantId}/flows", new
        {
            name = WelcomeFlowName,
            trigger = new { type = "new_conversation" },
            start = "menu",
            nodes = new object[]
            {
                new
                {
                    id = "menu", type = "list", header = "Green Corner", text = "Hi! 🌿 Thanks for writing to Green Corner. What can we help you with?",
                    footer = "Type \"agent\" at any time to talk to a person", button = "Departments",
                    rows = new object[]
                    {
                        new { id = "orders", title = "Orders and delivery", description = "Buy, track or change an order", next = "to-orders" },
                        new { id = "care", title = "Plant care", description = "Watering, light, pests", next = "to-care" },
                    },
                },
                new { id = "to-orders", type = "route", teamId = orders, text = "Thanks! Someone from Orders will answer you here shortly." },
                new { id = "to-care", type = "route", teamId = care, text = "Thanks! A plant-care expert will answer you here shortly." },
            },
        }, ct);
        flow.EnsureSuccessStatusCode();
        var id = (await flow.Content.ReadFromJsonAsync<JsonObject>(ct))!["id"]!.GetValue<Guid>();
        await PublishAsync(api, id, ct);
    }

    private async Task PublishAsync(HttpClient api, Guid flowId, CancellationToken ct) =>
        (await api.PostAsync($"/api/v1/tenants/{settings.TenantId}/flows/{flowId}/publish", null, ct)).EnsureSuccessStatusCode();

    private async Task CustomerWritesAsync(HttpClient api, string waId, string name, object message, CancellationToken ct)
    {
        var body = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(message))!.AsObject();
        body["phoneNumberId"] = settings.PhoneNumberId;
        body["name"] = name;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{DemoMode.SimulatorPrefix}/api/customers/{waId}/messages") { Content = JsonContent.Create(body) };
        (await api.SendAsync(request, ct)).EnsureSuccessStatusCode();
    }

    private async Task<Guid?> WaitForConversationAsync(HttpClient api, string waId, CancellationToken ct)
    {
        for (var i = 0; i < 100; i++)
        {
            var page = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{settings.TenantId}/conversations", ct);
            var match = page!["items"]!.AsArray().FirstOrDefault(c => c!["contact"]!["waId"]?.GetValue<string>() == waId);
            if (match is not null)
            {
                return match["id"]!.GetValue<Guid>();
            }

            await Task.Delay(100, ct);
        }

        return null;
    }

    private Task WhenStartedAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(ct);
    }

    private void PrintWelcome(string apiKey) => Console.WriteLine($"""

        ==== Switchboard demo is running ====================================================
          Dashboard:                          {settings.SelfUrl}/
            sign in as {DemoSettings.AdminEmail} (admin) or {DemoSettings.AgentEmail} (agent) or {DemoSettings.OperatorEmail} (platform operator), password from Switchboard__Demo__Password (default "{DemoSettings.DefaultPassword}")
          Customer phone (play a customer):  {settings.SelfUrl}{DemoMode.SimulatorPrefix}/
          API (tenant "{DemoSettings.TenantName}"):   {settings.SelfUrl}/api/v1/tenants/{settings.TenantId}
          Tenant API key (demo only):         {apiKey}
          Conversations:                      curl -H "Authorization: Bearer {apiKey}" {settings.SelfUrl}/api/v1/tenants/{settings.TenantId}/conversations
          Live events (SSE):                  curl -N -H "Authorization: Bearer {apiKey}" {settings.SelfUrl}/api/v1/tenants/{settings.TenantId}/events
          OpenAPI:                            {settings.SelfUrl}/openapi/v1.json
          Demo number: {DemoSettings.DisplayPhoneNumber} (phone number id {settings.PhoneNumberId})
        =====================================================================================

        """);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo user {Email} could not be created ({Errors})")]
    private partial void LogDemoUserFailed(string email, string errors);

    [LoggerMessage(Level = LogLevel.Error, Message = "Demo seeding failed ({Error})")]
    private partial void LogSeedFailed(string error);
}
