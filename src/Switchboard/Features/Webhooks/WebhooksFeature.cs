using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Webhooks;

public static class WebhooksFeature
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<WebhookOptions>(configuration.GetSection(WebhookOptions.Section));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookSealer>();
        services.AddSingleton<IContactEraseStep, WebhookContactErase>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookJournal>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookJournal>());
        services.AddSingleton<IngestMessage>();
        services.AddSingleton<ProcessWebhookBatch>();
        services.AddSingleton<WebhookProcessor>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookProcessor>());
        services.AddSingleton<WebhookJanitor>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookJanitor>());
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder routes)
    {
        var webhooks = routes.MapGroup("/webhooks/whatsapp").AllowAnonymous().WithTags("Webhooks").ExcludeFromDescription();
        webhooks.MapGet("/{tenantId:guid}", VerifyWebhook.ForTenantAsync);
        webhooks.MapPost("/{tenantId:guid}", ReceiveWebhook.ForTenantAsync);
        webhooks.MapGet("", VerifyWebhook.ForPlatform);
        webhooks.MapPost("", ReceiveWebhook.ForPlatformAsync);

        var quarantine = routes.MapGroup("/api/v1/operator/quarantine").RequireAuthorization(TenantPolicies.Operator).WithTags("Webhooks");
        quarantine.MapGet("", Quarantine.ListAsync).WithName("ListQuarantinedWebhooks");
        quarantine.MapPost("/{eventId:guid}/replay", Quarantine.ReplayOverHttpAsync).WithName("ReplayQuarantinedWebhook");
        return routes;
    }
}
