using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Identity;

namespace Switchboard.Common.Realtime;

internal static class RealtimeSetup
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddHostedService<PostgresEventListener>();
        return services;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/tenants/{tenantId:guid}/events", EventStream.HandleAsync)
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead))
            .RequireSameOrigin()
            .WithTags("Realtime")
            .WithName("StreamEvents")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return routes;
    }
}
