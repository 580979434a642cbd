using System.ComponentModel.DataAnnotations;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Tenants;

/// <summary>The operator creates a tenant; it gets its keys and an admin API key, shown only in this answer.</summary>
internal static class CreateTenant
{
    public sealed record Request(
        [property: Required, StringLength(200, MinimumLength = 1)] string? Name);

    public sealed record Response(Guid Id, string Name, string ApiKey);

    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Created<Response>> HandleAsync(
        Request request, SwitchboardDbContext db, KeyRing keyRing, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var (tenant, apiKey) = await ProvisionAsync(db, keyRing, clock, Guid.CreateVersion7(clock.GetUtcNow()), request.Name!.Trim(), AuditActor.From(http), ct);
        return TypedResults.Created($"/api/v1/tenants/{tenant.Id}", new Response(tenant.Id, tenant.Name, apiKey));
    }

    /// <summary>
    /// A tenant with its keys and its admin API key (returned in clear this once), recorded in the new
    /// tenant's audit chain and in the platform's, all in one transaction.
    /// </summary>
    public static async Task<(Tenant Tenant, string ApiKey)> ProvisionAsync(
        SwitchboardDbContext db, KeyRing keyRing, TimeProvider clock, Guid id, string name, AuditActor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var tenant = new Tenant { Id = id, Name = name, CreatedAt = now };
        tenant.Keys.AddRange(keyRing.NewTenantKeys(tenant.Id));
        var apiKey = ApiTokenSecrets.NewToken();
        db.Tenants.Add(tenant);
        var adminToken = new ApiToken
        {
            TenantId = tenant.Id,
            Id = Guid.CreateVersion7(now),
            Name = "Tenant admin key",
            Kind = ApiTokenKind.TenantAdmin,
            Scopes = SwitchboardClaims.AllScopes,
            TokenHash = ApiTokenSecrets.Hash(apiKey),
            Prefix = ApiTokenSecrets.PrefixOf(apiKey),
            CreatedAt = now,
        };
        db.ApiTokens.Add(adminToken);

        // Tenant chain first, then the platform's: every writer that takes both heads takes them in this order.
        var detail = new { name, adminTokenId = adminToken.Id };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await AuditLog.RecordAsync(db, tenant.Id, actor, AuditActions.TenantCreated, $"tenant:{tenant.Id}", detail, now, ct);
        await AuditLog.RecordAsync(db, AuditLog.PlatformChain, actor, AuditActions.TenantCreated, $"tenant:{tenant.Id}", detail, now, ct);
        await transaction.CommitAsync(ct);
        return (tenant, apiKey);
    }
}
