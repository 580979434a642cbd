using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Satisfaction;

/// <summary>Customer satisfaction surveys, their report, and managers' quality reviews (ADR 0031).</summary>
public static class SatisfactionFeature
{
    public static IServiceCollection AddSatisfaction(this IServiceCollection services)
    {
        services.AddSingleton<SurveySignal>();
        services.AddSingleton<SatisfactionDashboard>();
        services.AddSingleton<IConversationStep, SatisfactionStep>();
        services.AddJobRunner<SurveySender, SurveyJob>(sp => sp.GetRequiredService<SurveySignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapSatisfaction(this IEndpointRouteBuilder routes)
    {
        var tenant = routes.MapGroup("/api/v1/tenants/{tenantId:guid}").WithTags("Satisfaction");
        var review = TenantPolicies.Member(Permissions.QualityReview);
        tenant.MapGet("/satisfaction", SatisfactionApi.GetSettingsAsync).WithName("GetSatisfactionSettings").RequireAuthorization(review);
        tenant.MapPut("/satisfaction", SatisfactionApi.UpdateSettingsAsync).WithName("UpdateSatisfactionSettings").RequireAuthorization(TenantPolicies.Member(Permissions.SettingsAdmin));
        tenant.MapGet("/reports/csat", CsatReport.GetAsync).WithName("GetCsatReport").RequireAuthorization(review);
        tenant.MapGet("/conversations/{conversationId:guid}/satisfaction", SatisfactionApi.GetSurveyAsync).WithName("GetConversationSatisfaction")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead)).RequireVisibleConversation();
        tenant.MapPost("/conversations/{conversationId:guid}/reviews", Reviews.CreateAsync).WithName("CreateConversationReview").RequireAuthorization(review).RequireVisibleConversation();
        tenant.MapGet("/conversations/{conversationId:guid}/reviews", Reviews.ListAsync).WithName("ListConversationReviews").RequireAuthorization(review).RequireVisibleConversation();
        return routes;
    }
}
