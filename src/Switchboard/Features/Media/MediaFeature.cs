using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Media;

public static class MediaFeature
{
    public static IServiceCollection AddMedia(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MediaOptions>(configuration.GetSection(MediaOptions.Section));
        services.AddSingleton<MediaSignal>();
        services.AddSingleton<BlobStore>();
        services.AddHttpClient<GraphMediaClient>(client => client.Timeout = TimeSpan.FromSeconds(60));
        services.AddSingleton<FetchMedia>();
        services.AddSingleton<MediaFetcher>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaFetcher>());
        return services;
    }

    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder routes)
    {
        var media = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/media").RequireAuthorization(TenantPolicies.Member).WithTags("Media");
        media.MapGet("/{mediaId:guid}", MediaApi.DownloadAsync).WithName("DownloadMedia");
        media.MapPost("/{mediaId:guid}/retry", MediaApi.RetryAsync).WithName("RetryMediaFetch");
        return routes;
    }
}
