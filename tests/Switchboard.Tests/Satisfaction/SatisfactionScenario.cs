using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Satisfaction;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Satisfaction;

/// <summary>A tenant with one number, conversations opened by signed webhooks, resolved through the API and answered by list replies.</summary>
internal sealed class SatisfactionScenario(SwitchboardApp app, TestTenant tenant, string phone)
{
    public TestTenant Tenant => tenant;

    public HttpClient Client { get; } = app.ClientWithKey(tenant.ApiKey);

    public static async Task<SatisfactionScenario> CreateAsync(SwitchboardApp app, string format = "list")
    {
        var tenant = await app.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await app.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var scenario = new SatisfactionScenario(app, tenant, phone);
        var settings = await scenario.Client.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/satisfaction", new { enabled = true, question = "How did we do?", format });
        settings.StatusCode.Should().Be(HttpStatusCode.OK, await settings.Content.ReadAsStringAsync());
        return scenario;
    }

    /// <summary>A customer writes (at Meta's time <paramref name="secondsAgo"/> ago); returns their conversation's id.</summary>
    public async Task<Guid> CustomerWritesAsync(string waId, string text, long secondsAgo = 30)
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - secondsAgo;
        (await app.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text(text, at, waId)))).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
        return (await app.ConversationsAsync(tenant)).Single(c => c!["contact"]!["waId"]!.GetValue<string>() == waId)!["id"]!.GetValue<Guid>();
    }

    public async Task ResolveAsync(Guid conversationId)
    {
        var response = await Client.PostAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/resolve", null);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonObject> SurveyAsync(Guid conversationId) =>
        (await Client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/satisfaction"))!;

    /// <summary>Waits until the sender has queued the conversation's survey; returns the survey row.</summary>
    public async Task<CsatSurvey> WaitUntilSentAsync(Guid conversationId) =>
        await Eventually.PollAsync(async () =>
        {
            await using var db = app.NewDbContext();
            var survey = await db.CsatSurveys.AsNoTracking().SingleOrDefaultAsync(s => s.TenantId == tenant.Id && s.ConversationId == conversationId);
            survey?.State.Should().NotBe(SurveyState.Failed);
            survey?.State.Should().NotBe(SurveyState.Skipped);
            return survey is { State: SurveyState.Sent } ? survey : null;
        });

    /// <summary>The customer picks a list row (or button) whose id is <paramref name="replyId"/>.</summary>
    public async Task AnswerAsync(string waId, string replyId, string kind = "list_reply")
    {
        var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        object reply = kind == "list_reply" ? new { type = kind, list_reply = new { id = replyId, title = "4 — Good" } } : new { type = kind, button_reply = new { id = replyId, title = "Great" } };
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Customer" }, wa_id = waId }],
            messages: [new { from = waId, id = "wamid." + Guid.NewGuid().ToString("N"), timestamp = at, type = "interactive", interactive = reply }])]]);
        (await app.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.WaitForWebhooksAsync();
    }

    public async Task<string> StatusOfAsync(Guid conversationId) =>
        (await Client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}"))!["status"]!.GetValue<string>();

    /// <summary>The survey messages queued in the conversation (interactive replies of ours).</summary>
    public async Task<int> SurveyMessagesAsync(Guid conversationId)
    {
        await using var db = app.NewDbContext();
        return await db.Messages.CountAsync(m => m.TenantId == tenant.Id && m.ConversationId == conversationId && m.Direction == MessageDirection.Outbound && m.Type == "interactive");
    }
}
