using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Switchboard.Bench;

internal sealed record TenantInfo(Guid Id, string Name, string ApiKey);

internal sealed record ChannelInfo(Guid Id, string PhoneNumberId, int MessagesPerSecond);

internal sealed record ContactInfo(Guid Id, string? WaId, string? Name);

internal sealed record ConversationInfo(Guid Id, string Status, Guid ChannelId, ContactInfo Contact, DateTimeOffset? WindowExpiresAt);

/// <summary>The few calls of Switchboard's public API the benchmarks need, made like any operator or integration would.</summary>
internal sealed class SwitchboardApi(HttpClient http, Uri baseUrl)
{
    private sealed record Page<T>(List<T> Items, string? NextCursor);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Uri WebhookUrl(Guid tenantId) => new(baseUrl, $"webhooks/whatsapp/{tenantId}");

    /// <summary>A fresh tenant (operator key); its admin key comes back only in this answer.</summary>
    public async Task<TenantInfo> CreateTenantAsync(string operatorKey, string name, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Post, "api/v1/tenants", operatorKey, new { name }, ct);
        return await ReadAsync<TenantInfo>(response, HttpStatusCode.Created, "create a tenant", ct);
    }

    /// <summary>Connects a number with a random phone number id (a new one when the id happens to be taken) and the given app secret.</summary>
    public async Task<ChannelInfo> CreateChannelAsync(TenantInfo tenant, string appSecret, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var phoneNumberId = "1" + RandomDigits(14);
            using var response = await SendAsync(HttpMethod.Post, $"api/v1/tenants/{tenant.Id}/channels", tenant.ApiKey, new
            {
                phoneNumberId,
                wabaId = "1" + RandomDigits(14),
                displayPhoneNumber = "+1 555 " + RandomDigits(3) + " " + RandomDigits(4),
                appId = "1" + RandomDigits(15),
                appSecret,
                accessToken = "EAAB" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
                verifyToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            }, ct);
            if (response.StatusCode == HttpStatusCode.Conflict && attempt < 5)
            {
                continue;
            }

            return await ReadAsync<ChannelInfo>(response, HttpStatusCode.Created, "connect a number", ct);
        }
    }

    /// <summary>Every conversation of the tenant, following <c>nextCursor</c> 200 at a time.</summary>
    public async Task<List<ConversationInfo>> ListConversationsAsync(TenantInfo tenant, CancellationToken ct)
    {
        var all = new List<ConversationInfo>();
        string? cursor = null;
        do
        {
            var path = $"api/v1/tenants/{tenant.Id}/conversations?limit=200" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
            using var response = await SendAsync(HttpMethod.Get, path, tenant.ApiKey, null, ct);
            var page = await ReadAsync<Page<ConversationInfo>>(response, HttpStatusCode.OK, "list conversations", ct);
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return all;
    }

    /// <summary>Posts a text reply; answers the status code (202 when queued).</summary>
    public async Task<HttpStatusCode> ReplyAsync(TenantInfo tenant, Guid conversationId, string text, string idempotencyKey, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, $"api/v1/tenants/{tenant.Id}/conversations/{conversationId}/messages", tenant.ApiKey, new { type = "text", text });
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }

    /// <summary>Posts a signed webhook to the tenant's callback URL; answers the status code (200 once stored).</summary>
    public async Task<HttpStatusCode> PostWebhookAsync(Guid tenantId, SignedWebhook webhook, CancellationToken ct)
    {
        using var request = WebhookRequest(WebhookUrl(tenantId), webhook);
        using var response = await http.SendAsync(request, ct);
        return response.StatusCode;
    }

    public static HttpRequestMessage WebhookRequest(Uri endpoint, SignedWebhook webhook)
    {
        var content = new ByteArrayContent(webhook.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.TryAddWithoutValidation(Webhooks.SignatureHeader, webhook.Signature);
        return request;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body, CancellationToken ct)
    {
        using var request = Request(method, path, key, body);
        return await http.SendAsync(request, ct);
    }

    private HttpRequestMessage Request(HttpMethod method, string path, string key, object? body)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return request;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken ct)
    {
        if (response.StatusCode != expected)
        {
            var problem = await response.Content.ReadAsStringAsync(ct);
            throw new BenchmarkException($"could not {what}: {(int)response.StatusCode} {response.ReasonPhrase} from {response.RequestMessage?.RequestUri} {problem}");
        }

        return await response.Content.ReadFromJsonAsync<T>(Json, ct)
            ?? throw new BenchmarkException($"could not {what}: empty answer from {response.RequestMessage?.RequestUri}");
    }

    private static string RandomDigits(int length) => RandomNumberGenerator.GetString("0123456789", length);
}
