using System.ComponentModel.DataAnnotations;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Tenants;

/// <summary>The operator creates a tenant; it gets its keys and an admin API key, shown only in this answer.</summary>
internal static class CreateTenant
{
    public sealed record Request(
        [property: Required, StringLength(200, MinimumLength = 1)] string? Name);

    public sealed record Response(Guid Id, string Name, string ApiKey);

    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Created<Response>> HandleAsync(
        Request request, SwitchboardDbContext db, KeyRing keyRing, TimeProvider clock, CancellationToken ct)
    {
        var (tenant, apiKey) = await ProvisionAsync(db, keyRing, clock, Guid.CreateVersion7(clock.GetUtcNow()), request.Name!.Trim(), ct);
        return TypedResults.Created($"/api/v1/tenants/{tenant.Id}", new Response(tenant.Id, tenant.Name, apiKey));
    }

    /// <summary>A tenant with its keys and its admin API key (returned in clear this once).</summary>
    public static async Task<(Tenant Tenant, string ApiKey)> ProvisionAsync(SwitchboardDbContext db, KeyRing keyRing, TimeProvider clock, Guid id, string name, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var tenant = new Tenant { Id = id, Name = name, CreatedAt = now };
        tenant.Keys.AddRange(keyRing.NewTenantKeys(tenant.Id));
        var apiKey = ApiTokenSecrets.NewToken();
        db.Tenants.Add(tenant);
        db.ApiTokens.Add(new ApiToken
        {
            TenantId = tenant.Id,
            Id = Guid.CreateVersion7(now),
            Name = "Tenant admin key",
            Kind = ApiTokenKind.TenantAdmin,
            Scopes = SwitchboardClaims.AllScopes,
            TokenHash = ApiTokenSecrets.Hash(apiKey),
            Prefix = ApiTokenSecrets.PrefixOf(apiKey),
            CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        return (tenant, apiKey);
    }
}
