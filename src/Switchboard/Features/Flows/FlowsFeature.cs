using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Automation;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Flows;

/// <summary>Chatbot flows (ADR 0029): versioned documents, their API and the runtime that answers as the bot.</summary>
public static class FlowsFeature
{
    public static IServiceCollection AddFlows(this IServiceCollection services)
    {
        services.AddSingleton<FlowSignal>();
        services.AddSingleton<FlowRunner>();
        services.AddSingleton<IConversationStep, FlowStep>();
        services.AddSingleton<IAutoReplyVeto, FlowAutoReplyVeto>();
        services.AddJobRunner<FlowSessionSource, FlowJob>(sp => sp.GetRequiredService<FlowSignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapFlows(this IEndpointRouteBuilder routes)
    {
        var manage = TenantPolicies.Member(Permissions.FlowsManage);
        var flows = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/flows").WithTags("Flows");
        flows.MapGet("", FlowsApi.ListAsync).WithName("ListFlows").RequireAuthorization(manage);
        flows.MapPost("", FlowsApi.CreateAsync).WithName("CreateFlow").RequireAuthorization(manage);
        flows.MapGet("/{flowId:guid}", FlowsApi.GetAsync).WithName("GetFlow").RequireAuthorization(manage);
        flows.MapPut("/{flowId:guid}", FlowsApi.UpdateAsync).WithName("UpdateFlow").RequireAuthorization(manage);
        flows.MapPost("/{flowId:guid}/publish", FlowsApi.PublishAsync).WithName("PublishFlow").RequireAuthorization(manage);
        flows.MapGet("/{flowId:guid}/versions", FlowVersionsApi.ListAsync).WithName("ListFlowVersions").RequireAuthorization(manage);
        flows.MapGet("/{flowId:guid}/versions/{version:int}", FlowVersionsApi.GetAsync).WithName("GetFlowVersion").RequireAuthorization(manage);
        flows.MapPost("/{flowId:guid}/versions/{version:int}/restore", FlowVersionsApi.RestoreAsync).WithName("RestoreFlowVersion").RequireAuthorization(manage);
        flows.MapGet("/{flowId:guid}/stats", FlowVersionsApi.StatsAsync).WithName("GetFlowStats").RequireAuthorization(manage);
        flows.MapPost("/{flowId:guid}/test", FlowTestRun.TestAsync).WithName("TestFlow").RequireAuthorization(manage);
        return routes;
    }
}
