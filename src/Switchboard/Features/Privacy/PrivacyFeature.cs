using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>Exports (signed), erasure of contacts, conversations and messages (docs/privacy.md, ADR 0026).</summary>
public static class PrivacyFeature
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PrivacyOptions>(configuration.GetSection(PrivacyOptions.Section));
        services.AddSingleton<TenantDeletionSignal>();
        services.AddJobRunner<TenantDeletionRunner, TenantDeletion>(sp => sp.GetRequiredService<TenantDeletionSignal>().Signal);
        services.AddSingleton<ExportSignal>();
        services.AddSingleton<ExportLinks>();
        services.AddSingleton<ExportSigningKeys>();
        services.AddSingleton<BuildExport>();
        services.AddSingleton<ErasureSteps>();
        services.AddSingleton<IContactEraseStep, ExportContactErase>();
        services.AddJobRunner<ExportRunner, ExportJob>(sp => sp.GetRequiredService<ExportSignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder routes)
    {
        var tenant = "/api/v1/tenants/{tenantId:guid}";
        var exports = routes.MapGroup($"{tenant}/exports").WithTags("Privacy")
            .RequireAuthorization(TenantPolicies.Member(Permissions.PrivacyExport));
        exports.MapPost("", CreateExport.HandleAsync).WithName("CreateExport");
        exports.MapGet("", ExportsApi.ListAsync).WithName("ListExports");
        exports.MapGet("/signing-key", ExportsApi.SigningKeyAsync).WithName("GetExportSigningKey");
        exports.MapGet("/{exportId:guid}", ExportsApi.GetAsync).WithName("GetExport");
        exports.MapGet("/{exportId:guid}/download", ExportsApi.DownloadAsync).WithName("DownloadExport");

        var erase = routes.MapGroup(tenant).WithTags("Privacy")
            .RequireAuthorization(TenantPolicies.Member(Permissions.PrivacyErase));
        erase.MapDelete("/contacts/{contactId:guid}", EraseContact.HandleAsync).WithName("EraseContact");
        erase.MapDelete("/conversations/{conversationId:guid}", DeleteConversation.HandleAsync).WithName("DeleteConversation");
        erase.MapDelete("/conversations/{conversationId:guid}/messages/{messageId:guid}", DeleteMessage.HandleAsync).WithName("DeleteMessage");

        var deletion = routes.MapGroup($"{tenant}/deletion").WithTags("Privacy")
            .RequireAuthorization(TenantPolicies.Member(Permissions.TenantDelete));
        deletion.MapPost("", DeleteTenant.ScheduleAsync).WithName("ScheduleTenantDeletion");
        deletion.MapGet("", DeleteTenant.GetAsync).WithName("GetTenantDeletion");
        deletion.MapDelete("", DeleteTenant.CancelAsync).WithName("CancelTenantDeletion");
        return routes;
    }
}
