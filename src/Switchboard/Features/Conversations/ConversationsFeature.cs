using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Conversations;

public static class ConversationsFeature
{
    public static IServiceCollection AddConversations(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ConversationOptions>(configuration.GetSection(ConversationOptions.Section));
        services.AddSingleton<ContactKeys>();
        services.AddMemoryCache();
        services.AddSingleton<MinimalMessages>();
        services.AddSingleton<ContactDirectory>();
        services.AddSingleton<ContactReader>();
        services.AddSingleton<ConversationThreads>();
        services.AddSingleton<ConversationLedger>();
        services.AddSingleton<MessageSearchIndex>();
        services.AddSingleton<SearchBackfill>();
        services.AddSingleton<IInterceptor, SearchIndexInterceptor>();
        services.AddSingleton<IContactMergeStep, ContactProfileMerge>();
        services.TryAddSingleton<IConversationScope, EveryConversation>();
        services.AddSingleton<IContactEraseStep, SearchContactErase>();
        services.AddSingleton<RealtimeSequencer>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeSequencer>());
        services.AddSingleton<IInterceptor, RealtimeCommitInterceptor>();
        services.AddSingleton<IBookkeepingPurge, RealtimeLogPurge>();
        return services;
    }

    public static IEndpointRouteBuilder MapConversations(this IEndpointRouteBuilder routes)
    {
        var conversations = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/conversations")
            .WithTags("Conversations")
            .RequireVisibleConversation();
        conversations.MapGet("", ListConversations.HandleAsync).WithName("ListConversations").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        conversations.MapGet("/{conversationId:guid}", GetConversation.HandleAsync).WithName("GetConversation").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        conversations.MapPost("/{conversationId:guid}/resolve", SetConversationStatus.ResolveAsync).WithName("ResolveConversation").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        conversations.MapPost("/{conversationId:guid}/reopen", SetConversationStatus.ReopenAsync).WithName("ReopenConversation").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        conversations.MapPost("/{conversationId:guid}/pending", SetConversationStatus.PendingAsync).WithName("SetConversationPending").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        conversations.MapPost("/{conversationId:guid}/assign", AssignConversation.HandleAsync).WithName("AssignConversation").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        conversations.MapPut("/{conversationId:guid}/labels", SetConversationLabels.HandleAsync).WithName("SetConversationLabels").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        conversations.MapGet("/{conversationId:guid}/messages", ListMessages.HandleAsync).WithName("ListMessages").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));

        var contacts = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/contacts")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead))
            .WithTags("Contacts");
        contacts.MapGet("", ContactsApi.FindAsync).WithName("FindContact");
        contacts.MapGet("/{contactId:guid}", ContactsApi.GetAsync).WithName("GetContact");

        var labels = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/labels").WithTags("Labels");
        labels.MapGet("", LabelDefinitions.ListAsync).WithName("ListLabels").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        labels.MapPost("", LabelDefinitions.CreateAsync).WithName("CreateLabel").RequireAuthorization(TenantPolicies.Member(Permissions.LabelsManage));
        labels.MapPut("/{labelId:guid}", LabelDefinitions.UpdateAsync).WithName("UpdateLabel").RequireAuthorization(TenantPolicies.Member(Permissions.LabelsManage));
        labels.MapDelete("/{labelId:guid}", LabelDefinitions.DeleteAsync).WithName("DeleteLabel").RequireAuthorization(TenantPolicies.Member(Permissions.LabelsManage));
        contacts.MapGet("/{contactId:guid}/notes", ContactNotes.ListAsync).WithName("ListContactNotes");
        MapProfileAndSearch(routes);
        return routes;
    }

    private static void MapProfileAndSearch(IEndpointRouteBuilder routes)
    {
        var contactChanges = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/contacts").WithTags("Contacts");
        contactChanges.MapPatch("/{contactId:guid}", UpdateContact.HandleAsync).WithName("UpdateContact").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        contactChanges.MapPost("/{contactId:guid}/notes", ContactNotes.AddAsync).WithName("AddContactNote").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));

        var attributes = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/contact-attributes").WithTags("Contacts");
        attributes.MapGet("", ContactAttributeDefinitions.ListAsync).WithName("ListContactAttributes").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        attributes.MapPost("", ContactAttributeDefinitions.CreateAsync).WithName("CreateContactAttribute").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));
        attributes.MapPut("/{key}", ContactAttributeDefinitions.UpdateAsync).WithName("UpdateContactAttribute").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));
        attributes.MapDelete("/{key}", ContactAttributeDefinitions.DeleteAsync).WithName("DeleteContactAttribute").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));

        routes.MapGet("/api/v1/tenants/{tenantId:guid}/search", SearchMessages.HandleAsync).WithName("SearchMessages").WithTags("Search")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
    }
}
