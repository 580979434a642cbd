using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;

namespace Switchboard.Features.Identity;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>: the operator key (compared in constant time) or a tenant's
/// API token (looked up by its SHA-256; revoked, expired or erased-tenant tokens are refused).
/// </summary>
internal sealed class BearerKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OperatorKey operatorKey,
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    TimeProvider clock,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Unsupported authorization scheme.");
        }

        var presented = header["Bearer ".Length..].Trim();
        if (presented.Length is 0 or > 512)
        {
            return AuthenticateResult.Fail("Malformed key.");
        }

        if (operatorKey.Matches(presented))
        {
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, SwitchboardClaims.OperatorRole), new Claim(ClaimTypes.Name, "operator")], Scheme.Name);
            return Success(identity);
        }

        var hash = ApiTokenSecrets.Hash(presented);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
        var token = await (
            from t in db.ApiTokens
            join tenant in db.Tenants on t.TenantId equals tenant.Id
            where t.TokenHash == hash && t.RevokedAt == null && tenant.Status == TenantStatus.Active
            select new { t.TenantId, t.Id, t.Name, t.Kind, t.Scopes, t.ExpiresAt, t.LastUsedAt, t.UserId })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (token is null || token.ExpiresAt <= now)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired key.");
        }

        var scopes = token.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        TenantRole? role = null;
        if (token.UserId is { } userId)
        {
            // A personal token acts with its user's current role: a disabled membership, a lockout or a
            // role change takes effect on the very next request.
            var membership = await (
                from m in db.Memberships
                join u in db.Users on m.UserId equals u.Id
                where m.TenantId == token.TenantId && m.UserId == userId && m.Status == MembershipStatus.Active
                select new { m.Role, u.LockoutEnd }).SingleOrDefaultAsync(Context.RequestAborted);
            if (membership is null || membership.LockoutEnd > now)
            {
                return AuthenticateResult.Fail("The token's user is disabled or locked out.");
            }

            role = membership.Role;
            var granted = Permissions.Of(membership.Role);
            scopes = scopes.Count == 0 || scopes.Contains(SwitchboardClaims.AllScopes) ? [.. granted] : [.. scopes.Intersect(granted)];
        }

        if (token.LastUsedAt is null || now - token.LastUsedAt > LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.TenantId == token.TenantId && t.Id == token.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
        }

        var claims = new List<Claim>
        {
            new(SwitchboardClaims.TenantId, token.TenantId.ToString()),
            new(SwitchboardClaims.TokenId, token.Id.ToString()),
            new(SwitchboardClaims.TokenName, token.Name),
            new(ClaimTypes.Name, $"token:{token.Id}"),
        };
        if (token.UserId is { } user && role is { } r)
        {
            claims.Add(new Claim(SwitchboardClaims.UserId, user.ToString()));
            claims.Add(new Claim(SwitchboardClaims.Role, Permissions.RoleName(r)));
        }

        claims.AddRange(scopes.Select(s => new Claim(SwitchboardClaims.Scope, s)));
        return Success(new ClaimsIdentity(claims, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Type = Problems.UnauthorizedType,
                Title = "A valid API key is required (Authorization: Bearer <key>).",
            },
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Type = Problems.ForbiddenType,
                Title = "This key is not allowed to do that.",
            },
        });
    }

    private AuthenticateResult Success(ClaimsIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
}
