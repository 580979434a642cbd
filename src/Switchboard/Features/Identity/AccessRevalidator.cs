using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Identity;

/// <summary>
/// Re-checks a principal that was authenticated a while ago, for connections that outlive a request: SSE
/// streams and Blazor circuits. A revoked or expired token, a disabled membership, a changed role or a
/// new security stamp ends the connection within <see cref="Interval"/>, and at once when the change is heard from any node
/// (<see cref="Version"/> moves and the streams are woken; ADR 0056).
/// </summary>
internal sealed class AccessRevalidator
{
    /// <summary>The <see cref="CacheInvalidation"/> topic of a tenant's API tokens (one was revoked).</summary>
    public const string TokensTopic = "api-tokens";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(20);

    /// <summary>How often Blazor circuits re-check: a session check is a cache hit unless something changed.</summary>
    public static readonly TimeSpan CircuitInterval = TimeSpan.FromSeconds(5);
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly SessionValidator sessions;
    private readonly TimeProvider clock;
    private long version;

    public AccessRevalidator(IDbContextFactory<SwitchboardDbContext> dbFactory, SessionValidator sessions, TimeProvider clock, CacheInvalidation invalidation, RealtimeHub hub)
    {
        this.dbFactory = dbFactory;
        this.sessions = sessions;
        this.clock = clock;
        invalidation.On(TokensTopic, tenantId =>
        {
            Interlocked.Increment(ref version);
            if (tenantId is { } tenant)
            {
                hub.Publish(tenant);
            }
            else
            {
                hub.PublishAll();
            }
        });
        sessions.Changed += () =>
        {
            Interlocked.Increment(ref version);
            hub.PublishAll();
        };
    }

    /// <summary>Moves whenever some token was revoked or some user's access changed, on any node: long-lived connections then re-check.</summary>
    public long Version => Volatile.Read(ref version);

    public async Task<bool> IsStillValidAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (Guid.TryParse(user.FindFirstValue(SwitchboardClaims.TokenId), out var tokenId))
        {
            var now = clock.GetUtcNow();
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var token = await (
                from t in db.ApiTokens.AsNoTracking()
                join tenant in db.Tenants on t.TenantId equals tenant.Id
                where t.Id == tokenId && t.RevokedAt == null && tenant.Status == TenantStatus.Active
                select new { t.TenantId, t.ExpiresAt, t.UserId }).SingleOrDefaultAsync(ct);
            if (token is null || token.ExpiresAt <= now)
            {
                return false;
            }

            if (token.UserId is not { } userId)
            {
                return true;
            }

            var role = await db.Memberships.AsNoTracking()
                .Where(m => m.TenantId == token.TenantId && m.UserId == userId && m.Status == MembershipStatus.Active)
                .Select(m => (TenantRole?)m.Role).SingleOrDefaultAsync(ct);
            return role is { } r && Permissions.RoleName(r) == user.FindFirstValue(SwitchboardClaims.Role);
        }

        if (user.UserIdOf() is { } sessionUser)
        {
            return await sessions.IsCurrentAsync(sessionUser, user.TenantIdOf(), user.FindFirstValue(SwitchboardClaims.Role), user.FindFirstValue(SwitchboardClaims.SecurityStamp), ct);
        }

        // The platform operator's key is configuration: it is valid for as long as the process runs with it.
        return user.IsOperator();
    }
}

/// <summary>Blazor circuits re-check their user every <see cref="AccessRevalidator.CircuitInterval"/>; a failed check signs the circuit out.</summary>
internal sealed class RevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, AccessRevalidator revalidator)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => AccessRevalidator.CircuitInterval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        revalidator.IsStillValidAsync(authenticationState.User, cancellationToken);
}
