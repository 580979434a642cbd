using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Signs and posts webhooks like Meta does, and waits until the background processor has caught up.</summary>
public static class WebhookSender
{
    public const string AppSecret = "app-secret-0123456789abcdef";

    public static string Sign(byte[] body, string secret = AppSecret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static async Task<HttpResponseMessage> PostWebhookAsync(this HttpClient client, Guid? tenantId, byte[] body, string? signature)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, tenantId is null ? "/webhooks/whatsapp" : $"/webhooks/whatsapp/{tenantId}") { Content = content };
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", signature);
        }

        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PostSignedAsync(this SwitchboardApp app, Guid tenantId, byte[] body, string secret = AppSecret)
    {
        using var client = app.CreateClient();
        return await client.PostWebhookAsync(tenantId, body, Sign(body, secret));
    }

    /// <summary>
    /// Waits until no inbox event is pending (processed or quarantined) and their realtime events are numbered
    /// (on PostgreSQL just after the processing commit, ADR 0053), or fails after 30 s.
    /// </summary>
    public static async Task WaitForWebhooksAsync(this SwitchboardApp app)
    {
        for (var i = 0; i < 300; i++)
        {
            await using var db = app.NewDbContext();
            if (!await db.WebhookEvents.AnyAsync(e => e.State == WebhookEventState.Pending) && !await db.QueuedRealtimeEvents.AnyAsync())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("Webhook events were still pending after 30 s.");
    }

    public static async Task<JsonArray> ConversationsAsync(this SwitchboardApp app, TestTenant tenant)
    {
        using var client = app.ClientWithKey(tenant.ApiKey);
        var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations?limit=200");
        return page!["items"]!.AsArray();
    }

    /// <summary>Every message of every conversation of the tenant, oldest first within each conversation.</summary>
    public static async Task<List<JsonObject>> MessagesAsync(this SwitchboardApp app, TestTenant tenant)
    {
        using var client = app.ClientWithKey(tenant.ApiKey);
        var all = new List<JsonObject>();
        foreach (var conversation in await app.ConversationsAsync(tenant))
        {
            var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations/{conversation!["id"]}/messages?limit=200");
            all.AddRange(page!["items"]!.AsArray().Select(m => m!.AsObject()));
        }

        return all;
    }
}
