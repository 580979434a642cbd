using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>
/// Tenant integration tokens (scoped, for other systems) and personal tokens (a user's own, acting with
/// that user's current role) as the API shows them, and what their use cases share (CreateToken,
/// CreatePersonalToken, ListTokens, ListPersonalTokens, RevokeToken, RevokePersonalToken). Random 256-bit
/// values, stored only as SHA-256, shown once, expiring, revocable.
/// </summary>
internal static class TokensApi
{
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(366);

    public sealed record CreateRequest(
        [property: Required, StringLength(100, MinimumLength = 1)] string? Name,
        string[]? Scopes,
        DateTimeOffset? ExpiresAt);

    public sealed record CreatedResponse(Guid Id, string Token, string Name, string Kind, IReadOnlyList<string> Scopes, string Prefix, DateTimeOffset? ExpiresAt);

    public sealed record TokenResponse(
        Guid Id, string Name, string Kind, IReadOnlyList<string> Scopes, string Prefix, Guid? UserId, string? CreatedBy,
        DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

    public sealed record ListResponse(IReadOnlyList<TokenResponse> Items);

    /// <summary>Mints a token and records it in the audit chain; the caller has checked the request and its grants.</summary>
    public static async Task<(ApiToken Token, string Secret)> CreateAsync(
        SwitchboardDbContext db, Guid tenantId, CreateRequest request, ApiTokenKind kind, Guid? userId, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var secret = ApiTokenSecrets.NewToken();
        var scopes = (request.Scopes ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var token = new ApiToken
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            Name = request.Name!.Trim(),
            Kind = kind,
            Scopes = string.Join(' ', scopes),
            TokenHash = ApiTokenSecrets.Hash(secret),
            Prefix = ApiTokenSecrets.PrefixOf(secret),
            CreatedAt = now,
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
            UserId = userId,
            CreatedBy = actor.Id,
        };
        db.ApiTokens.Add(token);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.TokenCreated, $"token:{token.Id}",
            new { name = token.Name, kind = KindName(kind), scopes, expiresAt = token.ExpiresAt, userId }, now, ct);
        return (token, secret);
    }

    /// <summary>Revokes a token of the tenant (when <paramref name="ownerOnly"/> is given, only that user's); null when done, revoking twice changes nothing.</summary>
    public static async Task<Failure?> RevokeAsync(
        SwitchboardDbContext db, Guid tenantId, Guid tokenId, Guid? ownerOnly, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == tokenId && (ownerOnly == null || t.UserId == ownerOnly), ct);
        if (token is null)
        {
            return Failure.NotFound();
        }

        if (token.RevokedAt is null)
        {
            token.RevokedAt = now;
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.TokenRevoked, $"token:{token.Id}", new { name = token.Name, kind = KindName(token.Kind) }, now, ct);
            db.ApplicationService<CacheInvalidation>()?.Publish(AccessRevalidator.TokensTopic, tenantId);
        }

        return null;
    }

    /// <summary>403 for a caller that is not a signed-in user (nor that user's personal token).</summary>
    public static Failure NotAUser(string title) => new(FailureKind.Forbidden, title, ProblemType: Problems.ForbiddenType);

    /// <summary>The current active role of each personal token's user in the tenant.</summary>
    public static async Task<Dictionary<Guid, TenantRole>> RolesOfOwnersAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<ApiToken> tokens, CancellationToken ct)
    {
        var owners = tokens.Where(t => t.UserId is not null).Select(t => t.UserId!.Value).Distinct().ToList();
        return owners.Count == 0
            ? []
            : await db.Memberships.AsNoTracking()
                .Where(m => m.TenantId == tenantId && owners.Contains(m.UserId) && m.Status == MembershipStatus.Active)
                .ToDictionaryAsync(m => m.UserId, m => m.Role, ct);
    }

    public static TenantRole? RoleOf(Dictionary<Guid, TenantRole> roles, ApiToken token) =>
        token.UserId is { } user && roles.TryGetValue(user, out var role) ? role : null;

    public static Dictionary<string, string[]> Validate(CreateRequest request, DateTimeOffset now, bool scopesRequired)
    {
        var errors = new Dictionary<string, string[]>();
        if (scopesRequired && (request.Scopes is null || request.Scopes.Length == 0))
        {
            errors["scopes"] = [$"Name at least one scope: {string.Join(", ", Permissions.All)}."];
        }

        for (var i = 0; i < (request.Scopes?.Length ?? 0); i++)
        {
            if (!Permissions.IsKnown(request.Scopes![i] ?? ""))
            {
                errors[$"scopes[{i}]"] = [$"Unknown scope. Known scopes: {string.Join(", ", Permissions.All)}."];
            }
        }

        if (request.ExpiresAt is { } expires && (expires <= now || expires > now + MaxLifetime))
        {
            errors["expiresAt"] = ["Must be in the future and at most 366 days away (or null for no expiry)."];
        }

        return errors;
    }

    public static CreatedResponse Created(ApiToken token, string secret) =>
        new(token.Id, secret, token.Name, KindName(token.Kind), ScopesOf(token), token.Prefix, token.ExpiresAt);

    public static TokenResponse ToResponse(ApiToken t) =>
        new(t.Id, t.Name, KindName(t.Kind), ScopesOf(t), t.Prefix, t.UserId, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt);

    private static string[] ScopesOf(ApiToken t) => t.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static string KindName(ApiTokenKind kind) => kind switch
    {
        ApiTokenKind.TenantAdmin => "admin",
        ApiTokenKind.Integration => "integration",
        _ => "personal",
    };
}
