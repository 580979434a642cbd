using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Channels;

public static class ChannelsFeature
{
    public static IServiceCollection AddChannels(this IServiceCollection services)
    {
        services.AddSingleton<WebhookUrls>();
        services.AddSingleton<ChannelView>();
        services.AddSingleton<ChannelChanges>();
        services.AddSingleton<ChannelDirectory>();
        return services;
    }

    public static IEndpointRouteBuilder MapChannels(this IEndpointRouteBuilder routes)
    {
        var channels = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/channels")
            .RequireAuthorization(TenantPolicies.MemberOrOperator)
            .WithTags("Channels");
        channels.MapPost("", CreateChannel.HandleAsync).WithName("CreateChannel");
        channels.MapGet("", ListChannels.HandleAsync).WithName("ListChannels");
        channels.MapGet("/{channelId:guid}", GetChannel.HandleAsync).WithName("GetChannel");
        channels.MapPost("/{channelId:guid}/credentials", RotateChannelCredentials.HandleAsync).WithName("RotateChannelCredentials");
        channels.MapPost("/{channelId:guid}/revoke", RevokeChannel.HandleAsync).WithName("RevokeChannel");
        channels.MapPut("/{channelId:guid}/throughput", SetChannelThroughput.HandleAsync).WithName("SetChannelThroughput");
        return routes;
    }
}
