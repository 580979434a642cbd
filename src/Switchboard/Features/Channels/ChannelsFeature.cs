using Switchboard.Common.Security;
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
        services.AddHttpClient<MetaPhoneNumbers>(client => client.Timeout = TimeSpan.FromSeconds(15));
        return services;
    }

    public static IEndpointRouteBuilder MapChannels(this IEndpointRouteBuilder routes)
    {
        var channels = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/channels")
            .WithTags("Channels");
        var read = TenantPolicies.MemberOrOperator(Permissions.ChannelsRead);
        var admin = TenantPolicies.MemberOrOperator(Permissions.ChannelsAdmin);
        channels.MapPost("", CreateChannel.HandleAsync).WithName("CreateChannel").RequireAuthorization(admin);
        channels.MapGet("", ListChannels.HandleAsync).WithName("ListChannels").RequireAuthorization(read);
        channels.MapGet("/{channelId:guid}", GetChannel.HandleAsync).WithName("GetChannel").RequireAuthorization(read);
        channels.MapPost("/{channelId:guid}/credentials", RotateChannelCredentials.HandleAsync).WithName("RotateChannelCredentials").RequireAuthorization(admin);
        channels.MapPost("/{channelId:guid}/revoke", RevokeChannel.HandleAsync).WithName("RevokeChannel").RequireAuthorization(admin);
        channels.MapPut("/{channelId:guid}/throughput", SetChannelThroughput.HandleAsync).WithName("SetChannelThroughput").RequireAuthorization(admin);
        return routes;
    }
}
