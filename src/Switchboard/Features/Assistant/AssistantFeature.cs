using Microsoft.Extensions.AI;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Assistant;

/// <summary>The AI assistant: settings, suggested replies, summaries, sentiment, redaction before any prompt leaves (ADR 0035).</summary>
public static class AssistantFeature
{
    public static IServiceCollection AddAssistant(this IServiceCollection services)
    {
        services.AddSingleton<ISuggestionSource, CannedSuggestionSource>();
        services.AddSingleton<ISuggestionSource, PastAnswerSuggestionSource>();
        services.AddSingleton<ISuggestionSource, ArticleSuggestionSource>();
        // Retrieval's embedding is the built-in one whatever the tenant's provider: candidates are never sent out (ADR 0046).
        services.AddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>, HashedNgramEmbeddingGenerator>(AssistantRunner.LocalKey);
        services.AddSingleton<AssistantRunner>();
        services.AddSingleton<AssistantDashboard>();
        services.AddSingleton<IConversationStep, SentimentStep>();
        services.AddSingleton<AutoSummaryQueue>();
        services.AddSingleton<IConversationStep, AutoSummaryStep>();
        services.AddSingleton<IContactEraseStep, AssistantErase>();
        services.AddHostedService<AutoSummaryWorker>();
        return services;
    }

    public static IEndpointRouteBuilder MapAssistant(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1/tenants/{tenantId:guid}").WithTags("Assistant");
        tenant.MapGet("/ai", AssistantSettingsApi.GetAsync).WithName("GetAssistantSettings").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));
        tenant.MapPut("/ai", AssistantSettingsApi.UpdateAsync).WithName("UpdateAssistantSettings").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));
        var conversation = tenant.MapGroup("/conversations/{conversationId:guid}");
        conversation.MapPost("/suggestions", AssistantApi.SuggestAsync).WithName("SuggestReplies")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite)).RequireVisibleConversation();
        conversation.MapPost("/summary", AssistantApi.SummarizeAsync).WithName("SummarizeConversation")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite)).RequireVisibleConversation();
        conversation.MapGet("/summary", AssistantApi.LatestSummaryAsync).WithName("GetConversationSummary")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead)).RequireVisibleConversation();
        conversation.MapGet("/sentiment", AssistantApi.SentimentAsync).WithName("GetConversationSentiment")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead)).RequireVisibleConversation();
        return routes;
    }
}
