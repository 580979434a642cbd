using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

public static class OutboundFeature
{
    /// <summary>Inline media (base64) makes a reply larger than other API calls.</summary>
    private const long MaxSendBodyBytes = 24L * 1024 * 1024;

    public static IServiceCollection AddOutbound(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OutboundOptions>(configuration.GetSection(OutboundOptions.Section));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<Pacer>();
        services.AddHttpClient<GraphMessagesClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(10) });
        services.AddSingleton<ChannelTokens>();
        services.AddSingleton<IContactMergeStep, OutboxContactMerge>();
        services.AddSingleton<IContactEraseStep, OutboxContactErase>();
        services.AddSingleton<IBookkeepingPurge, OutboxPurge>();
        services.AddSingleton<SendOutboxItem>();

        // The writer starts before the sender and stops after it, so that the sender's last outcomes are recorded.
        services.AddSingleton<SendJournal>();
        services.AddHostedService(sp => sp.GetRequiredService<SendJournal>());
        services.AddSingleton<OutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxSender>());

        // Registered after the sender, so it stops first: the node stops calling before its leases lapse for others.
        services.AddSingleton<NumberLeases>();
        services.AddHostedService(sp => sp.GetRequiredService<NumberLeases>());
        if (configuration.GetValue<bool>("Switchboard:Metrics:Enabled"))
        {
            services.AddHostedService<OutboxDepthSnapshot>();
        }

        return services;
    }

    public static IEndpointRouteBuilder MapOutbound(this IEndpointRouteBuilder routes)
    {
        var conversation = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/conversations/{conversationId:guid}")
            .WithTags("Conversations")
            .RequireVisibleConversation();
        conversation.MapPost("/messages", SendMessage.HandleAsync)
            .WithName("SendMessage")
            .RequireAuthorization(TenantPolicies.Member(Permissions.MessagesSend))
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxSendBodyBytes));
        conversation.MapPost("/messages/{messageId:guid}/resend", ResendMessage.HandleAsync).WithName("ResendMessage").RequireAuthorization(TenantPolicies.Member(Permissions.MessagesSend));
        conversation.MapPost("/read", MarkConversationRead.HandleAsync).WithName("MarkConversationRead").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        return routes;
    }
}
