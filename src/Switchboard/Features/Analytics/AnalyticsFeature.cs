using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Analytics;

/// <summary>Reports from incremental rollups (ADR 0030): counted as events commit, folded in the background, read per tenant.</summary>
public static class AnalyticsFeature
{
    public static IServiceCollection AddAnalytics(this IServiceCollection services)
    {
        services.AddSingleton<IConversationStep, AnalyticsStep>();
        services.AddSingleton<IInterceptor, DeliveryCounting>();
        services.AddSingleton<IInterceptor, AssignmentCounting>();
        services.AddSingleton<IInterceptor, QueueCounting>();
        services.AddSingleton<IInterceptor, AvailabilityCounting>();
        services.AddSingleton<RebuildReports>();
        services.AddHostedService<RollupCompactor>();
        return services;
    }

    public static IEndpointRouteBuilder MapAnalytics(this IEndpointRouteBuilder routes)
    {
        var reports = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/reports").WithTags("Reports")
            .RequireAuthorization(TenantPolicies.Member(Permissions.ReportsRead));
        reports.MapGet("/summary", ReportsApi.SummaryAsync).WithName("GetReportSummary");
        reports.MapGet("/timeseries", ReportsApi.TimeseriesAsync).WithName("GetReportTimeseries");
        reports.MapGet("/agents", ReportsApi.AgentsAsync).WithName("GetReportAgents");
        reports.MapGet("/sentiment", ReportsApi.SentimentAsync).WithName("GetReportSentiment");

        // The operator sees counts summed over every tenant, never one tenant's figures or any content.
        routes.MapGet("/api/v1/operator/reports", ReportsApi.PlatformAsync).WithName("GetPlatformReport").WithTags("Reports")
            .RequireAuthorization(TenantPolicies.Operator);
        return routes;
    }
}
