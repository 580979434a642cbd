using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>Tokens, invites and users of a test tenant, made through the API where the API can make them.</summary>
internal static class AccessBuilders
{
    public const string Password = "correct-horse-battery-staple";

    public static async Task<(Guid Id, string Token)> CreateTokenAsync(this SwitchboardApp app, TestTenant tenant, IEnumerable<string> scopes)
    {
        using var client = app.ClientWithKey(tenant.ApiKey);
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = "test integration", scopes = scopes.ToArray(), expiresAt = (DateTimeOffset?)null });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.ReadJsonAsync();
        return (body["id"]!.GetValue<Guid>(), body["token"]!.GetValue<string>());
    }

    public static async Task<(Guid Id, string Code)> InviteAsync(this SwitchboardApp app, TestTenant tenant, string role = "agent")
    {
        using var client = app.ClientWithKey(tenant.ApiKey);
        var email = $"person-{Guid.NewGuid():N}@example.test";
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/invites", new { email, role });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var body = await response.ReadJsonAsync();
        var url = new Uri(body["inviteUrl"]!.GetValue<string>());
        var code = System.Web.HttpUtility.ParseQueryString(url.Query)["code"]!;
        return (body["id"]!.GetValue<Guid>(), code);
    }

    /// <summary>A user of the tenant with the given role: invited by the admin key, accepted through the API.</summary>
    public static async Task<Guid> CreateUserAsync(this SwitchboardApp app, TestTenant tenant, string role = "agent")
    {
        var (_, code) = await app.InviteAsync(tenant, role);
        using var anonymous = app.CreateClient();
        var response = await anonymous.PostAsJsonAsync("/api/v1/invites/accept", new { code, displayName = "Test Person", password = Password });
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync())["userId"]!.GetValue<Guid>();
    }

    /// <summary>
    /// A personal token of a user. Made in the database: the API makes these only for a signed-in user
    /// (dashboard session), which these tests do not drive.
    /// </summary>
    public static async Task<string> PersonalTokenAsync(this SwitchboardApp app, Guid tenantId, Guid userId, IEnumerable<string> scopes)
    {
        var secret = ApiTokenSecrets.NewToken();
        await using var db = app.NewDbContext();
        db.ApiTokens.Add(new ApiToken
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(),
            Name = "test personal",
            Kind = ApiTokenKind.Personal,
            Scopes = string.Join(' ', scopes.Order(StringComparer.Ordinal)),
            TokenHash = ApiTokenSecrets.Hash(secret),
            Prefix = ApiTokenSecrets.PrefixOf(secret),
            CreatedAt = DateTimeOffset.UtcNow,
            UserId = userId,
        });
        await db.SaveChangesAsync();
        return secret;
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string url) =>
        (await client.GetFromJsonAsync<JsonObject>(url))!;
}
