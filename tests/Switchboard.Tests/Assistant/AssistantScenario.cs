using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Assistant;

/// <summary>A tenant with one number: customers write through signed webhooks, the tenant answers through the API.</summary>
internal sealed class AssistantScenario(SwitchboardApp app, TestTenant tenant, string phone)
{
    public TestTenant Tenant => tenant;

    public HttpClient Client { get; } = app.ClientWithKey(tenant.ApiKey);

    public string Base => $"/api/v1/tenants/{tenant.Id}";

    public static async Task<AssistantScenario> CreateAsync(SwitchboardApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return new AssistantScenario(app, tenant, phone);
    }

    public async Task<JsonObject> PutSettingsAsync(object body)
    {
        var response = await Client.PutAsJsonAsync($"{Base}/ai", body);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>A customer writes; returns their conversation's id.</summary>
    public async Task<Guid> CustomerWritesAsync(string waId, string text, string name = "Customer")
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text(text, at, waId) with { Name = name }))).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
        return (await app.ConversationsAsync(tenant)).Single(c => c!["contact"]!["waId"]!.GetValue<string>() == waId)!["id"]!.GetValue<Guid>();
    }

    public async Task ReplyAsync(Guid conversationId, string text)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Base}/conversations/{conversationId}/messages") { Content = JsonContent.Create(new { type = "text", text }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture));
        var response = await Client.SendAsync(request);
        response.StatusCode.Should().Be(HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
    }

    public async Task<HttpResponseMessage> SuggestAsync(Guid conversationId) => await Client.PostAsync($"{Base}/conversations/{conversationId}/suggestions", null);

    public async Task<HttpResponseMessage> SummarizeAsync(Guid conversationId) => await Client.PostAsync($"{Base}/conversations/{conversationId}/summary", null);
}
