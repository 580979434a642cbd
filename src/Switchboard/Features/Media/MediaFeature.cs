using Microsoft.Extensions.Options;
using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

public static class MediaFeature
{
    public static IServiceCollection AddMedia(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MediaOptions>().Bind(configuration.GetSection(MediaOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaOptions>, MediaOptionsValidation>();
        services.AddSingleton<MediaSignal>();
        services.AddSingleton(BlobStore.Create);
        services.AddSingleton<IContactMergeStep, MediaContactMerge>();
        services.AddSingleton<IContactEraseStep, MediaContactErase>();
        services.AddSingleton<MediaHosts>();
        services.AddHttpClient<GraphMediaClient>(client => client.Timeout = TimeSpan.FromSeconds(60))
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<MediaHosts>().CreateHandler());
        services.AddSingleton<FetchMedia>();
        services.AddJobRunner<MediaFetcher, MediaJob>(sp => sp.GetRequiredService<MediaSignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder routes)
    {
        var media = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/media").WithTags("Media").ServesUntrustedContent();
        media.MapGet("/{mediaId:guid}", MediaApi.DownloadAsync).WithName("DownloadMedia").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        media.MapPost("/{mediaId:guid}/retry", MediaApi.RetryAsync).WithName("RetryMediaFetch").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsWrite));
        return routes;
    }
}
