using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Tenants;

public static class TenantsFeature
{
    public static IEndpointRouteBuilder MapTenants(this IEndpointRouteBuilder routes)
    {
        var operatorOnly = routes.MapGroup("/api/v1").RequireAuthorization(TenantPolicies.Operator).WithTags("Tenants");
        operatorOnly.MapPost("/tenants", CreateTenant.HandleAsync).WithName("CreateTenant");
        operatorOnly.MapGet("/tenants", ListTenants.HandleAsync).WithName("ListTenants");
        operatorOnly.MapGet("/operator/keys", MasterKeyStatus.HandleAsync).WithName("MasterKeyStatus");
        operatorOnly.MapPost("/operator/keys/rewrap", MasterKeyStatus.RewrapAsync).WithName("RewrapTenantKeys");

        var tenant = routes.MapGroup("/api/v1/tenants/{tenantId:guid}").WithTags("Tenants");
        tenant.MapGet("", GetTenant.HandleAsync).RequireAuthorization(TenantPolicies.MemberOrOperator(Permissions.TenantRead)).WithName("GetTenant");
        tenant.MapPost("/keys/rotate", RotateTenantKey.HandleAsync).RequireAuthorization(TenantPolicies.MemberOrOperator(Permissions.SettingsAdmin)).WithName("RotateTenantKey");
        tenant.MapDelete("", EraseTenant.HandleAsync).RequireAuthorization(TenantPolicies.Operator).WithName("EraseTenant");
        return routes;
    }
}
