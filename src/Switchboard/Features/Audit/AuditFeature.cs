using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Audit;

public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<AuditKeys>();
        services.AddSingleton<AuditBatcher>();
        services.AddSingleton<Common.Persistence.IMigrationFollowUp, AnchorExistingChains>();
        services.Configure<AccessLogOptions>(configuration.GetSection("Switchboard:Audit"));
        services.AddSingleton<AccessLog>();
        services.AddSingleton<Common.Crypto.IMasterKeyRewrapRecorder, AuditedRewrap>();
        return services;
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/audit")
            .RequireAuthorization(TenantPolicies.Member(Permissions.AuditRead)).WithTags("Audit");
        tenant.MapGet("", ListAudit.ListForTenantAsync).WithName("ListAuditEntries");
        tenant.MapPost("/verify", VerifyAudit.VerifyTenantAsync).WithName("VerifyAuditLog");

        var platform = routes.MapGroup("/api/v1/operator/audit")
            .RequireAuthorization(TenantPolicies.Operator).WithTags("Audit");
        platform.MapGet("", ListAudit.ListForPlatformAsync).WithName("ListPlatformAuditEntries");
        platform.MapPost("/verify", VerifyAudit.VerifyPlatformAsync).WithName("VerifyPlatformAuditLog");
        return routes;
    }
}
