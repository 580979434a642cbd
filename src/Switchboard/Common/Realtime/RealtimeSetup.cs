namespace Switchboard.Common.Realtime;

internal static class RealtimeSetup
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSingleton<CacheInvalidation>();
        services.AddHostedService<PostgresEventListener>();
        services.AddHostedService<InvalidationSender>();
        return services;
    }
}
