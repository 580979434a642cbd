using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Conversations;

public static class ConversationsFeature
{
    public static IServiceCollection AddConversations(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ConversationOptions>(configuration.GetSection(ConversationOptions.Section));
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
        conversations.MapGet("/{conversationId:guid}", ConversationActions.GetAsync).WithName("GetConversation");
        conversations.MapPost("/{conversationId:guid}/resolve", ConversationActions.ResolveAsync).WithName("ResolveConversation");
        conversations.MapPost("/{conversationId:guid}/reopen", ConversationActions.ReopenAsync).WithName("ReopenConversation");
        conversations.MapPost("/{conversationId:guid}/pending", ConversationActions.PendingAsync).WithName("SetConversationPending");
        conversations.MapGet("/{conversationId:guid}/messages", ListMessages.HandleAsync).WithName("ListMessages");

        var contacts = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/contacts")
            .RequireAuthorization(TenantPolicies.Member)
            .WithTags("Contacts");
        contacts.MapGet("", ContactsApi.FindAsync).WithName("FindContact");
        contacts.MapGet("/{contactId:guid}", ContactsApi.GetAsync).WithName("GetContact");
        return routes;
    }
}
