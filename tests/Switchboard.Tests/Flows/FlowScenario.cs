using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Flows;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Flows;

/// <summary>A tenant with one number and two teams, flows published through the API, and a customer writing through signed webhooks.</summary>
internal sealed class FlowScenario(SwitchboardApp app, FakeGraphApi graph, TestTenant tenant, string phone, Guid channelId, Guid sales, Guid support)
{
    public SwitchboardApp App { get; set; } = app;

    public TestTenant Tenant => tenant;

    public string Phone => phone;

    public Guid ChannelId => channelId;

    public Guid Sales => sales;

    public Guid Support => support;

    public static async Task<FlowScenario> StartAsync(SwitchboardApp app, FakeGraphApi graph)
    {
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var admin = app.ClientWithKey(tenant.ApiKey);
        async Task<Guid> TeamAsync(string name)
        {
            var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/teams", new { name, memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 5 });
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.ReadJsonAsync())["id"]!.GetValue<Guid>();
        }

        return new FlowScenario(app, graph, tenant, phone, channel["id"]!.GetValue<Guid>(), await TeamAsync("Sales"), await TeamAsync("Support"));
    }

    /// <summary>The department menu: a list whose rows route to the two teams, plus handoff and end nodes.</summary>
    public object MenuFlow(string greeting = "Welcome! Which department?") => new
    {
        name = "Welcome",
        trigger = new { type = "new_conversation" },
        start = "menu",
        nodes = new object[]
        {
            new { id = "menu", type = "list", text = greeting, button = "Departments", rows = new object[]
            {
                new { id = "sales", title = "Sales", description = "Buy something", next = "to-sales" },
                new { id = "support", title = "Support", next = "to-support" },
            } },
            new { id = "to-sales", type = "route", teamId = sales, text = "Connecting you to Sales." },
            new { id = "to-support", type = "route", teamId = support, text = "Connecting you to Support." },
        },
    };

    public async Task<Guid> PublishAsync(object flow)
    {
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/flows", flow);
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.ReadJsonAsync())["id"]!.GetValue<Guid>();
        var published = await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/flows/{id}/publish", null);
        published.StatusCode.Should().Be(HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }

    public Task WritesAsync(string customer, string text, DateTimeOffset? at = null) =>
        PostAsync(customer, new { type = "text", text = new { body = text } }, at);

    public Task ChoosesAsync(string customer, string rowId, string title) =>
        PostAsync(customer, new { type = "interactive", interactive = new { type = "list_reply", list_reply = new { id = rowId, title } } }, null);

    public Task TapsAsync(string customer, string buttonId, string title) =>
        PostAsync(customer, new { type = "interactive", interactive = new { type = "button_reply", button_reply = new { id = buttonId, title } } }, null);

    private async Task PostAsync(string customer, object content, DateTimeOffset? at)
    {
        var message = JsonSerializer.SerializeToNode(content)!.AsObject();
        message["from"] = customer;
        message["id"] = "wamid.in-" + Guid.NewGuid().ToString("N");
        message["timestamp"] = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(phone, contacts: [new { profile = new { name = "Parent" }, wa_id = customer }], messages: [message])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
    }

    /// <summary>What the bot sent to this customer through the Graph API, in order.</summary>
    public List<JsonObject> SentTo(string customer) =>
        [.. graph.Sends.Where(s => s.PhoneNumberId == phone).Select(s => JsonNode.Parse(s.Body)!.AsObject()).Where(b => b["to"]?.GetValue<string>().TrimStart('+') == customer)];

    /// <summary>Waits until at least <paramref name="count"/> sends reached the Graph API for this customer.</summary>
    public async Task<List<JsonObject>> WaitForSendsAsync(string customer, int count) =>
        await Eventually.PollAsync(() => Task.FromResult(SentTo(customer) is { } sent && sent.Count >= count ? sent : null));

    public async Task<FlowSession> SessionAsync(string customer)
    {
        await using var db = App.NewDbContext();
        var conversation = await ConversationIdAsync(customer);
        return await db.FlowSessions.AsNoTracking().SingleAsync(s => s.TenantId == tenant.Id && s.ConversationId == conversation);
    }

    public async Task<FlowSession> WaitForSessionAsync(string customer, Func<FlowSession, bool> until) =>
        await Eventually.PollAsync(async () => await SessionOrNullAsync(customer) is { } s && until(s) ? s : null);

    private async Task<FlowSession?> SessionOrNullAsync(string customer)
    {
        await using var db = App.NewDbContext();
        var conversation = await ConversationIdAsync(customer);
        return await db.FlowSessions.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenant.Id && s.ConversationId == conversation);
    }

    public async Task<Guid> ConversationIdAsync(string customer)
    {
        var conversations = await App.ConversationsAsync(tenant);
        return conversations.Single(c => c!["contact"]!["waId"]!.GetValue<string>() == customer)!["id"]!.GetValue<Guid>();
    }

    public async Task<JsonObject> ConversationAsync(string customer)
    {
        var conversations = await App.ConversationsAsync(tenant);
        return conversations.Single(c => c!["contact"]!["waId"]!.GetValue<string>() == customer)!.AsObject();
    }

    public async Task<List<JsonObject>> MessagesAsync(string customer)
    {
        var id = await ConversationIdAsync(customer);
        using var client = App.ClientWithKey(tenant.ApiKey);
        var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{id}/messages?limit=200");
        return [.. page!["items"]!.AsArray().Select(m => m!.AsObject())];
    }

    public static string NewCustomer() => "1650" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
}
