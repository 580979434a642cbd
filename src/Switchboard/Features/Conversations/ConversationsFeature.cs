namespace Switchboard.Features.Conversations;

public static class ConversationsFeature
{
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddSingleton<ContactDirectory>();
        return services;
    }
}
