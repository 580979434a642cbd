using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>Exports (signed), erasure of contacts, conversations and messages (ADR 0026); retention, legal holds, data-rights requests (ADR 0032). See docs/privacy.md.</summary>
public static class PrivacyFeature
{
    public static IServiceCollection AddPrivacy(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PrivacyOptions>(configuration.GetSection(PrivacyOptions.Section));
        services.AddSingleton<TenantDeletionSignal>();
        services.AddJobRunner<TenantDeletionRunner, TenantDeletion>(sp => sp.GetRequiredService<TenantDeletionSignal>().Signal);
        services.AddSingleton<ExportSignal>();
        services.AddSingleton<ExportLinks>();
        services.AddSingleton<PrivacyNotices>();
        services.AddSingleton<ExportSigningKeys>();
        services.AddSingleton<BuildExport>();
        services.AddSingleton<ErasureSteps>();
        services.AddSingleton<IContactEraseStep, ExportContactErase>();
        services.AddJobRunner<ExportRunner, ExportJob>(sp => sp.GetRequiredService<ExportSignal>().Signal);

        // Retention, legal holds, contact flags and data-rights requests (ADR 0032).
        services.Configure<RetentionOptions>(configuration.GetSection(RetentionOptions.Section));
        services.AddSingleton<IContactEraseStep, FlagsContactErase>();
        services.AddSingleton<RetentionEnforcer>();
        services.AddSingleton<RetentionSignal>();
        services.AddJobRunner<RetentionRunner, RetentionJob>(sp => sp.GetRequiredService<RetentionSignal>().Signal);
        services.AddSingleton<RequestDeadlineSignal>();
        services.AddJobRunner<RequestDeadlineWarnings, DataRightsRequest>(sp => sp.GetRequiredService<RequestDeadlineSignal>().Signal);

        // Rotation reminders for channel credentials and the tenant key (ADR 0051).
        services.AddSingleton<RotationReminders>();
        services.AddSingleton<RotationCheckSignal>();
        services.AddJobRunner<RotationCheckRunner, RotationCheck>(sp => sp.GetRequiredService<RotationCheckSignal>().Signal);

        // The deletion ledger is re-applied at start, before requests and workers (ADR 0038).
        services.AddSingleton<IStartupRepair, DeletionReplay>();
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

        var manage = routes.MapGroup(tenant).WithTags("Privacy")
            .RequireAuthorization(TenantPolicies.Member(Permissions.PrivacyManage));
        manage.MapGet("/privacy/retention", RetentionApi.GetAsync).WithName("GetRetention");
        manage.MapPut("/privacy/retention", RetentionApi.UpdateAsync).WithName("SetRetention");
        manage.MapGet("/privacy/retention/runs", RetentionApi.RunsAsync).WithName("ListRetentionRuns");
        manage.MapGet("/privacy/minimisation", MinimisationApi.GetAsync).WithName("GetMinimisation");
        manage.MapPut("/privacy/minimisation", MinimisationApi.UpdateAsync).WithName("SetMinimisation");
        manage.MapGet("/privacy/reminders", RotationRemindersApi.ListAsync).WithName("ListRotationReminders");
        manage.MapPost("/privacy/requests", DataRightsRequests.CreateAsync).WithName("CreateDataRightsRequest");
        manage.MapGet("/privacy/requests", DataRightsRequests.ListAsync).WithName("ListDataRightsRequests");
        manage.MapGet("/privacy/requests/{requestId:guid}", DataRightsRequests.GetAsync).WithName("GetDataRightsRequest");
        manage.MapPut("/privacy/requests/{requestId:guid}", UpdateDataRightsRequest.HandleAsync).WithName("UpdateDataRightsRequest");
        manage.MapPut("/contacts/{contactId:guid}/legal-hold", LegalHolds.SetContactAsync).WithName("SetContactLegalHold");
        manage.MapPut("/conversations/{conversationId:guid}/legal-hold", LegalHolds.SetConversationAsync).WithName("SetConversationLegalHold");
        manage.MapGet("/contacts/{contactId:guid}/privacy", ContactPrivacyApi.GetAsync).WithName("GetContactPrivacy");
        manage.MapPut("/contacts/{contactId:guid}/privacy", ContactPrivacyApi.UpdateAsync).WithName("SetContactPrivacy");
        return routes;
    }
}
