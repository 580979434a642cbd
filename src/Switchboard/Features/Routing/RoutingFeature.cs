using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>Teams, agents' availability, automatic assignment and transfers (ADR 0022).</summary>
public static class RoutingFeature
{
    public static IServiceCollection AddConversationRouting(this IServiceCollection services)
    {
        services.AddSingleton<RoutingSignal>();
        services.AddSingleton<IConversationStep, RoutingStep>();
        services.AddSingleton<RoutingDashboard>();
        services.AddSingleton<TeamScopeCache>();
        services.AddSingleton<IConversationScope, TeamScope>();
        services.AddSingleton<RoutingDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<RoutingDispatcher>());
        services.AddSingleton<AgentPresenceTracker>();
        services.AddHostedService<PresenceSweeper>();
        services.AddScoped<CircuitPresence>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, PresenceCircuitHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapConversationRouting(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1/tenants/{tenantId:guid}").WithTags("Routing").AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);

            // After a change of teams or settings (saved by then): agents' visibility is read again.
            if (!HttpMethods.IsGet(context.HttpContext.Request.Method) && Guid.TryParse(context.HttpContext.GetRouteValue("tenantId") as string, out var tenantId))
            {
                context.HttpContext.RequestServices.GetRequiredService<TeamScopeCache>().Invalidate(tenantId);
            }

            return result;
        });
        tenant.MapPost("/teams", TeamsApi.CreateAsync).WithName("CreateTeam").RequireAuthorization(TenantPolicies.Member(Permissions.RoutingAdmin));
        tenant.MapGet("/teams", TeamsApi.ListAsync).WithName("ListTeams").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        tenant.MapGet("/teams/{teamId:guid}", TeamsApi.GetAsync).WithName("GetTeam").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        tenant.MapPut("/teams/{teamId:guid}", TeamsApi.UpdateAsync).WithName("UpdateTeam").RequireAuthorization(TenantPolicies.Member(Permissions.RoutingAdmin));
        tenant.MapDelete("/teams/{teamId:guid}", TeamsApi.DeleteAsync).WithName("DeleteTeam").RequireAuthorization(TenantPolicies.Member(Permissions.RoutingAdmin));
        tenant.MapGet("/agents", AgentsApi.ListAsync).WithName("ListAgents").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        tenant.MapPut("/agents/{userId:guid}/availability", AgentsApi.SetAvailabilityAsync).WithName("SetAgentAvailability")
            .RequireAuthorization(TenantPolicies.Member(Permissions.RoutingSupervise));
        tenant.MapGet("/routing/queues", SupervisorQueries.ListQueuesAsync).WithName("ListRoutingQueues").RequireAuthorization(TenantPolicies.Member(Permissions.RoutingSupervise));
        tenant.MapGet("/routing/settings", RoutingSettingsApi.GetAsync).WithName("GetRoutingSettings").RequireAuthorization(TenantPolicies.Member(Permissions.TenantRead));
        tenant.MapPut("/routing/settings", RoutingSettingsApi.UpdateAsync).WithName("UpdateRoutingSettings").RequireAuthorization(TenantPolicies.Member(Permissions.RoutingAdmin));

        var conversation = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/conversations/{conversationId:guid}").WithTags("Conversations").RequireVisibleConversation();
        conversation.MapPost("/transfer", TransferConversation.HandleAsync).WithName("TransferConversation").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        conversation.MapGet("/assignments", TransferConversation.HistoryAsync).WithName("ListAssignments").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        return routes;
    }
}
