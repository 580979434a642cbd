using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Common.Tenancy;

/// <summary>
/// The caller must belong to the tenant named by the route's <c>{tenantId}</c>. Fails closed: a route
/// without a tenant id never passes. A caller of another tenant gets 404, as if the resource did not
/// exist; a member without the needed permission (role or token scope) gets 403.
/// </summary>
internal sealed class TenantAccessRequirement(bool allowOperator, string permission) : IAuthorizationRequirement
{
    public bool AllowOperator { get; } = allowOperator;

    public string Permission { get; } = permission;
}

internal sealed class TenantAccessHandler : AuthorizationHandler<TenantAccessRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, TenantAccessRequirement requirement)
    {
        if (context.Resource is not HttpContext http
            || http.GetRouteValue("tenantId") is not string routeValue
            || !Guid.TryParse(routeValue, out var tenantId))
        {
            context.Fail(new AuthorizationFailureReason(this, "no-tenant-in-route"));
            return;
        }

        var user = context.User;
        var db = http.RequestServices.GetRequiredService<SwitchboardDbContext>();
        var member = user.TenantIdOf() == tenantId
            || (requirement.AllowOperator && user.IsOperator() && await db.Tenants.AnyAsync(t => t.Id == tenantId && t.Status == TenantStatus.Active, http.RequestAborted));
        if (!member)
        {
            context.Fail(new AuthorizationFailureReason(this, "not-a-member"));
            return;
        }

        if (!user.IsOperator() && !user.HasScope(requirement.Permission))
        {
            context.Fail(new AuthorizationFailureReason(this, "missing-scope"));
            return;
        }

        // Backstop: from here on every query of this request is filtered to the tenant.
        db.TenantFilter = tenantId;
        context.Succeed(requirement);
    }
}

/// <summary>Turns "authenticated, but not a member of this tenant" into 404 so that no tenant's ids can be probed.</summary>
internal sealed class TenantAwareAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler fallback = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var tenantFailure = authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Handler is TenantAccessHandler && r.Message != "missing-scope") == true;
        if (authorizeResult.Forbidden && tenantFailure)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = StatusCodes.Status404NotFound, Type = Problems.NotFoundType, Title = "Not found." },
            });
            return;
        }

        await fallback.HandleAsync(next, context, policy, authorizeResult);
    }
}

internal static class TenantPolicies
{
    public const string Operator = "operator";

    private const string MemberPrefix = "tenant:";
    private const string MemberOrOperatorPrefix = "tenant-or-operator:";

    /// <summary>A member of the route's tenant holding <paramref name="permission"/>.</summary>
    public static string Member(string permission) => MemberPrefix + permission;

    /// <summary>A member holding <paramref name="permission"/>, or the platform operator.</summary>
    public static string MemberOrOperator(string permission) => MemberOrOperatorPrefix + permission;

    public static IServiceCollection AddTenancy(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, TenantAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, TenantAwareAuthorizationResultHandler>();
        var builder = services.AddAuthorizationBuilder()
            .AddPolicy(Operator, p => p.RequireAuthenticatedUser().RequireRole(SwitchboardClaims.OperatorRole));
        foreach (var permission in Permissions.All)
        {
            builder.AddPolicy(Member(permission), p => p.RequireAuthenticatedUser().AddRequirements(new TenantAccessRequirement(allowOperator: false, permission)));
            builder.AddPolicy(MemberOrOperator(permission), p => p.RequireAuthenticatedUser().AddRequirements(new TenantAccessRequirement(allowOperator: true, permission)));
        }

        return services;
    }
}
