using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Mail;

/// <summary>E-mail through an SMTP relay: a sealed, durable queue that other features write into (<see cref="MailQueue"/>).</summary>
public static class MailFeature
{
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MailOptions>(configuration.GetSection(MailOptions.Section));
        services.AddSingleton<MailSignal>();
        services.AddSingleton<MailSeals>();
        services.AddSingleton<MailQueue>();
        services.AddSingleton<IBookkeepingPurge, MailPurge>();
        services.AddJobRunner<MailSender, MailJob>(sp => sp.GetRequiredService<MailSignal>().Signal);
        return services;
    }
}
