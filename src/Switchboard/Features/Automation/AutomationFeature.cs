using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Automation;

/// <summary>Greeting, away and out-of-hours replies, and automation rules (ADR 0028).</summary>
public static class AutomationFeature
{
    public static IServiceCollection AddAutomation(this IServiceCollection services)
    {
        services.AddSingleton<AutomationSignal>();
        services.AddSingleton<IConversationStep, AutomationStep>();
        services.AddSingleton<IInterceptor, AutomationSaveInterceptor>();
        services.AddSingleton<AutomationRunner>();
        services.AddJobRunner<AutomationJobSource, AutomationJob>(sp => sp.GetRequiredService<AutomationSignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapAutomation(this IEndpointRouteBuilder routes)
    {
        var manage = TenantPolicies.Member(Permissions.AutomationManage);
        var automation = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/automation").WithTags("Automation");
        automation.MapGet("/rules", AutomationRules.ListAsync).WithName("ListAutomationRules").RequireAuthorization(manage);
        automation.MapPost("/rules", AutomationRules.CreateAsync).WithName("CreateAutomationRule").RequireAuthorization(manage);
        automation.MapGet("/rules/{ruleId:guid}", AutomationRules.GetAsync).WithName("GetAutomationRule").RequireAuthorization(manage);
        automation.MapPut("/rules/{ruleId:guid}", AutomationRules.UpdateAsync).WithName("UpdateAutomationRule").RequireAuthorization(manage);
        automation.MapDelete("/rules/{ruleId:guid}", AutomationRules.DeleteAsync).WithName("DeleteAutomationRule").RequireAuthorization(manage);
        automation.MapGet("/replies", AutoReplySettingsApi.GetAsync).WithName("GetAutoReplies").RequireAuthorization(manage);
        automation.MapPut("/replies", AutoReplySettingsApi.PutAsync).WithName("SetAutoReplies").RequireAuthorization(manage);
        return routes;
    }
}
