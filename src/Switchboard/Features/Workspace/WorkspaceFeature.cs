using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Workspace;

/// <summary>The agent's tools that are not conversation data: canned responses (ADR 0024).</summary>
public static class WorkspaceFeature
{
    public static IServiceCollection AddWorkspace(this IServiceCollection services) => services;

    public static IEndpointRouteBuilder MapWorkspace(this IEndpointRouteBuilder routes)
    {
        // Writes need conversations:write at the door; changing a shared one also needs canned:manage (checked by the use case).
        var canned = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/canned-responses").WithTags("Canned responses");
        canned.MapGet("", CannedResponses.ListAsync).WithName("ListCannedResponses").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        canned.MapGet("/{cannedResponseId:guid}", CannedResponses.GetAsync).WithName("GetCannedResponse").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        canned.MapPost("", CannedResponses.CreateAsync).WithName("CreateCannedResponse").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        canned.MapPut("/{cannedResponseId:guid}", CannedResponses.UpdateAsync).WithName("UpdateCannedResponse").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        canned.MapDelete("/{cannedResponseId:guid}", CannedResponses.DeleteAsync).WithName("DeleteCannedResponse").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        return routes;
    }
}
