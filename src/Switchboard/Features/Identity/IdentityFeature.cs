using Microsoft.AspNetCore.Authentication;
using Switchboard.Hosting;

namespace Switchboard.Features.Identity;

public static class IdentityFeature
{
    public static IServiceCollection AddIdentityAccess(this IServiceCollection services, SwitchboardOptions options)
    {
        services.AddSingleton(_ => OperatorKey.Load(options));
        services.AddAuthentication(SwitchboardClaims.Scheme)
            .AddScheme<AuthenticationSchemeOptions, BearerKeyAuthenticationHandler>(SwitchboardClaims.Scheme, null);
        return services;
    }
}
