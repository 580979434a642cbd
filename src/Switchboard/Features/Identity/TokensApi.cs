using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>
/// Tenant integration tokens (scoped, for other systems) and personal tokens (a user's own, acting with
/// that user's current role). Random 256-bit values, stored only as SHA-256, shown once, expiring, revocable.
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

    public static async Task<Results<Created<CreatedResponse>, ValidationProblem, ProblemHttpResult>> CreateIntegrationAsync(
        Guid tenantId, CreateRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = Validate(request, now, scopesRequired: true);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (Grants.Missing(http.User, request.Scopes!) is { Length: > 0 } missing)
        {
            return Grants.Beyond("A token cannot have scopes its creator does not hold.", missing).ToProblem();
        }

        var (token, secret) = await CreateAsync(db, tenantId, request, ApiTokenKind.Integration, userId: null, AuditActor.From(http), now, ct);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/tokens/{token.Id}", Created(token, secret));
    }

    /// <summary>A personal token of the calling user (scopes optional: they can only narrow the user's role).</summary>
    public static async Task<Results<Created<CreatedResponse>, ValidationProblem, ProblemHttpResult>> CreatePersonalAsync(
        Guid tenantId, CreateRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (http.User.UserIdOf() is not { } userId)
        {
            return TypedResults.Problem(title: "Only a signed-in user (or that user's personal token) can create personal tokens.", statusCode: StatusCodes.Status403Forbidden, type: Problems.ForbiddenType);
        }

        var now = clock.GetUtcNow();
        var errors = Validate(request, now, scopesRequired: false);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        // No scopes means "my whole role": a narrowed personal token must not mint an unnarrowed one.
        var wanted = request.Scopes is { Length: > 0 } scopes ? scopes : http.User.RoleOf() is { } role ? Permissions.Of(role) : Permissions.All;
        if (Grants.Missing(http.User, wanted) is { Length: > 0 } missing)
        {
            return Grants.Beyond("A token cannot have scopes its creator does not hold: name the scopes, within your own.", missing).ToProblem();
        }

        var (token, secret) = await CreateAsync(db, tenantId, request, ApiTokenKind.Personal, userId, AuditActor.From(http), now, ct);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/me/tokens/{token.Id}", Created(token, secret));
    }

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

    /// <summary>The tenant's tokens within the caller's power (the tenant admin key and full-scope tokens only for admins).</summary>
    public static async Task<Ok<ListResponse>> ListAsync(Guid tenantId, SwitchboardDbContext db, HttpContext http, CancellationToken ct)
    {
        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        var roles = await RolesOfOwnersAsync(db, tenantId, tokens, ct);
        return TypedResults.Ok(new ListResponse([.. tokens.Where(t => Grants.Covers(http.User, Grants.PowerOf(t, RoleOf(roles, t)))).Select(ToResponse)]));
    }

    public static async Task<Results<Ok<ListResponse>, ProblemHttpResult>> ListMineAsync(Guid tenantId, SwitchboardDbContext db, HttpContext http, CancellationToken ct)
    {
        if (http.User.UserIdOf() is not { } userId)
        {
            return TypedResults.Problem(title: "Only a signed-in user has personal tokens.", statusCode: StatusCodes.Status403Forbidden, type: Problems.ForbiddenType);
        }

        var tokens = await db.ApiTokens.AsNoTracking().Where(t => t.TenantId == tenantId && t.UserId == userId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        return TypedResults.Ok(new ListResponse([.. tokens.Select(ToResponse)]));
    }

    /// <summary>Revokes a token within the caller's power; a more powerful one is answered like a missing one (404).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(Guid tenantId, Guid tokenId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var token = await db.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == tokenId, ct);
        if (token is null || !Grants.Covers(http.User, Grants.PowerOf(token, RoleOf(await RolesOfOwnersAsync(db, tenantId, [token], ct), token))))
        {
            return Problems.NotFound();
        }

        return await RevokeCoreAsync(db, tenantId, tokenId, ownerOnly: null, AuditActor.From(http), clock.GetUtcNow(), ct);
    }

    public static Task<Results<NoContent, ProblemHttpResult>> RevokeMineAsync(Guid tenantId, Guid tokenId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        http.User.UserIdOf() is { } userId
            ? RevokeCoreAsync(db, tenantId, tokenId, userId, AuditActor.From(http), clock.GetUtcNow(), ct)
            : Task.FromResult<Results<NoContent, ProblemHttpResult>>(Problems.NotFound());

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeCoreAsync(
        SwitchboardDbContext db, Guid tenantId, Guid tokenId, Guid? ownerOnly, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var token = await db.ApiTokens.FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == tokenId && (ownerOnly == null || t.UserId == ownerOnly), ct);
        if (token is null)
        {
            return Problems.NotFound();
        }

        if (token.RevokedAt is null)
        {
            token.RevokedAt = now;
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.TokenRevoked, $"token:{token.Id}", new { name = token.Name, kind = KindName(token.Kind) }, now, ct);
        }

        return TypedResults.NoContent();
    }

    /// <summary>The current active role of each personal token's user in the tenant.</summary>
    private static async Task<Dictionary<Guid, TenantRole>> RolesOfOwnersAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<ApiToken> tokens, CancellationToken ct)
    {
        var owners = tokens.Where(t => t.UserId is not null).Select(t => t.UserId!.Value).Distinct().ToList();
        return owners.Count == 0
            ? []
            : await db.Memberships.AsNoTracking()
                .Where(m => m.TenantId == tenantId && owners.Contains(m.UserId) && m.Status == MembershipStatus.Active)
                .ToDictionaryAsync(m => m.UserId, m => m.Role, ct);
    }

    private static TenantRole? RoleOf(Dictionary<Guid, TenantRole> roles, ApiToken token) =>
        token.UserId is { } user && roles.TryGetValue(user, out var role) ? role : null;

    private static Dictionary<string, string[]> Validate(CreateRequest request, DateTimeOffset now, bool scopesRequired)
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

    private static CreatedResponse Created(ApiToken token, string secret) =>
        new(token.Id, secret, token.Name, KindName(token.Kind), ScopesOf(token), token.Prefix, token.ExpiresAt);

    private static TokenResponse ToResponse(ApiToken t) =>
        new(t.Id, t.Name, KindName(t.Kind), ScopesOf(t), t.Prefix, t.UserId, t.CreatedBy, t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt);

    private static string[] ScopesOf(ApiToken t) => t.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public static string KindName(ApiTokenKind kind) => kind switch
    {
        ApiTokenKind.TenantAdmin => "admin",
        ApiTokenKind.Integration => "integration",
        _ => "personal",
    };
}
