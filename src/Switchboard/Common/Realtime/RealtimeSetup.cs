namespace Switchboard.Common.Realtime;

internal static class RealtimeSetup
{
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddHostedService<PostgresEventListener>();
        return services;
    }
}
