using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Conversations;

public static class ConversationsFeature
{
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddSingleton<ContactDirectory>();
        services.AddSingleton<ContactReader>();
        services.AddSingleton<ConversationThreads>();
        return services;
    }

    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder routes)
    {
        var conversations = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/conversations")
            .RequireAuthorization(TenantPolicies.Member)
            .WithTags("Conversations");
        conversations.MapGet("", ListConversations.HandleAsync).WithName("ListConversations");
        conversations.MapGet("/{conversationId:guid}/messages", ListMessages.HandleAsync).WithName("ListMessages");
        return routes;
    }
}
