using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Tests.Infrastructure;

public sealed record TestTenant(Guid Id, string Name, string ApiKey);

/// <summary>Small builders for test data, going through the public API like a client would.</summary>
public static class Builders
{
    private static long nextPhoneNumberId = 100_000_000_000_000 + (Random.Shared.NextInt64(0, 1_000_000) * 1_000);

    public static string NewPhoneNumberId() => Interlocked.Increment(ref nextPhoneNumberId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<TestTenant> CreateTenantAsync(this SwitchboardApp app, string? name = null)
    {
        using var client = app.OperatorClient();
        var response = await client.PostAsJsonAsync("/api/v1/tenants", new { name = name ?? "Tenant " + Guid.NewGuid().ToString("N")[..8] });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return new TestTenant(Guid.Parse(body["id"]!.GetValue<string>()), body["name"]!.GetValue<string>(), body["apiKey"]!.GetValue<string>());
    }

    public static Dictionary<string, object?> ChannelRequest(string? phoneNumberId = null, string appSecret = "app-secret-0123456789abcdef", string accessToken = "EAAG-access-token-0123456789", string verifyToken = "verify-token-0123") => new()
    {
        ["phoneNumberId"] = phoneNumberId ?? NewPhoneNumberId(),
        ["wabaId"] = "102290129340398",
        ["displayPhoneNumber"] = "+1 555 078 3881",
        ["appId"] = "1234567890",
        ["appSecret"] = appSecret,
        ["accessToken"] = accessToken,
        ["verifyToken"] = verifyToken,
    };

    public static async Task<JsonObject> CreateChannelAsync(this SwitchboardApp app, TestTenant tenant, Dictionary<string, object?>? request = null)
    {
        using var client = app.ClientWithKey(tenant.ApiKey);
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", request ?? ChannelRequest());
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<JsonObject> ReadJsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonObject>())!;
}
