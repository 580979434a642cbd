using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Automation;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Automation;

/// <summary>A tenant with one number, its admin client, and customers who write through signed webhooks.</summary>
internal sealed class AutomationScenario(SwitchboardApp app, TestTenant tenant, string phone, Guid channelId) : IDisposable
{
    private static long nextCustomer = 16_506_000_000 + Random.Shared.NextInt64(0, 900_000_000);

    public TestTenant Tenant => tenant;

    public Guid ChannelId => channelId;

    public HttpClient Admin { get; } = app.ClientWithKey(tenant.ApiKey);

    public string Url(string path) => $"/api/v1/tenants/{tenant.Id}/{path}";

    public static async Task<AutomationScenario> StartAsync(SwitchboardApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return new AutomationScenario(app, tenant, phone, channel["id"]!.GetValue<Guid>());
    }

    public static string NewCustomer() => Interlocked.Increment(ref nextCustomer).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The customer writes (at Meta's <paramref name="at"/>, default now); returns the conversation once its automation has run.</summary>
    public async Task<Guid> WriteAsync(string customer, string text, DateTimeOffset? at = null)
    {
        var response = await app.PostSignedAsync(tenant.Id, Messages(phone, Text(text, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(), customer)));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
        await IdleAsync();
        var conversation = (await app.ConversationsAsync(tenant)).Single(c => c!["contact"]!["waId"]!.GetValue<string>() == customer)!;
        return conversation["id"]!.GetValue<Guid>();
    }

    /// <summary>Waits until the tenant's automation queue is empty (every queued event ran).</summary>
    public async Task IdleAsync()
    {
        for (var i = 0; i < 300; i++)
        {
            await using var db = app.NewDbContext();
            if (!await db.AutomationJobs.AnyAsync(j => j.TenantId == tenant.Id))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Automation jobs were still queued after 30 s.");
    }

    public async Task<List<JsonObject>> MessagesAsync(Guid conversationId) =>
        [.. (await Admin.GetJsonAsync(Url($"conversations/{conversationId}/messages?limit=200")))["items"]!.AsArray().Select(m => m!.AsObject())];

    /// <summary>The texts of the conversation's replies and notes, oldest first.</summary>
    public async Task<List<string>> SentAsync(Guid conversationId, string direction = "outbound") =>
        [.. (await MessagesAsync(conversationId)).Where(m => m["direction"]!.GetValue<string>() == direction).Select(m => m["text"]!.GetValue<string>())];

    public Task<JsonObject> ConversationAsync(Guid conversationId) => Admin.GetJsonAsync(Url($"conversations/{conversationId}"));

    public async Task<Guid> CreateAsync(string path, object body)
    {
        var response = await Admin.PostAsJsonAsync(Url(path), body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync())["id"]!.GetValue<Guid>();
    }

    public Task<Guid> RuleAsync(string name, string @event, object[] actions, object[]? conditions = null, int? position = null) =>
        CreateAsync("automation/rules", new { name, @event, position, conditions = conditions ?? [], actions });

    public async Task RepliesAsync(object settings)
    {
        var response = await Admin.PutAsJsonAsync(Url("automation/replies"), settings);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A calendar open around the clock, or (<paramref name="open"/> false) never.</summary>
    public Task<Guid> CalendarAsync(bool open) => CreateAsync("calendars", new
    {
        name = open ? "Always open" : "Never open",
        timeZone = "Europe/Madrid",
        hours = open ? new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.Select(d => new { day = d, from = "00:00", to = "24:00" }).ToArray() : [],
    });

    public async Task<List<AutomationRun>> RunsAsync(Guid ruleId)
    {
        await using var db = app.NewDbContext();
        return await db.AutomationRuns.Where(r => r.TenantId == tenant.Id && r.RuleId == ruleId).ToListAsync();
    }

    public void Dispose() => Admin.Dispose();
}
