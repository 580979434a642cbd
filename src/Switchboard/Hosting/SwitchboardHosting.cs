using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Common.Web.OpenApi;
using Switchboard.Dashboard;
using Switchboard.Features.Analytics;
using Switchboard.Features.Assistant;
using Switchboard.Features.Audit;
using Switchboard.Features.Automation;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Flows;
using Switchboard.Features.Identity;
using Switchboard.Features.Knowledge;
using Switchboard.Features.Mail;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Privacy;
using Switchboard.Features.Routing;
using Switchboard.Features.Satisfaction;
using Switchboard.Features.Tenants;
using Switchboard.Features.Transcripts;
using Switchboard.Features.Webhooks;
using Switchboard.Features.Workspace;

namespace Switchboard.Hosting;

/// <summary>Composition root: each feature's AddX and MapX, in one place.</summary>
public static class SwitchboardHosting
{
    /// <summary>Webhook bodies are at most 3 MB (Meta); only replies with an inline file raise this, per endpoint.</summary>
    public const long MaxRequestBodyBytes = 4L * 1024 * 1024;

    public static WebApplicationBuilder AddSwitchboard(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SwitchboardOptions.Section).Get<SwitchboardOptions>() ?? new SwitchboardOptions();
        builder.Services.Configure<SwitchboardOptions>(builder.Configuration.GetSection(SwitchboardOptions.Section));
        SwitchboardEnvironment.Validate(options, builder.Environment, builder.Configuration);
        if (options.IsEmbedded)
        {
            // Before anything writes into it (database, generated keys): readable by this user only.
            OwnerOnlyFiles.CreateDirectory(options.DataDirectory);
        }

        // The dashboard's framework scripts live in NuGet packages until publish copies them: serve them from
        // the build's static web assets manifest in every environment (no-op after publish).
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSwitchboardProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddValidation();
        services.AddSwitchboardOpenApi();
        services.AddSwitchboardRateLimits(builder.Configuration);
        services.AddTrustedProxies(options.ForwardedHeaders);
        var secureCookies = SwitchboardEnvironment.SecureCookies(options, builder.Environment, builder.Configuration);
        services.Configure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = secureCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);

        services.AddPersistence(builder.Configuration, options);
        services.AddCrypto(options);
        services.AddRealtime();
        services.AddIdentityAccess(options, builder.Configuration, builder.Environment);
        services.AddAudit(builder.Configuration);
        services.AddTenancy();
        services.AddChannels();
        services.AddConversations(builder.Configuration);
        services.AddWebhooks(builder.Configuration);
        services.AddMedia(builder.Configuration);
        services.AddOutbound(builder.Configuration);
        services.AddMail(builder.Configuration);
        services.AddConversationRouting();
        services.AddWorkspace();
        services.AddKnowledge();
        services.AddAutomation();
        services.AddPrivacy(builder.Configuration);
        services.AddServiceLevels();
        services.AddAnalytics();
        services.AddSatisfaction();
        services.AddTranscripts();
        services.AddFlows();
        services.AddAssistant();
        services.AddDashboard();
        services.AddSwitchboardTelemetry(options);
        return builder;
    }

    public static WebApplication MapSwitchboard(this WebApplication app)
    {
        // Fail fast on missing keys instead of at the first request; prints a generated operator key once.
        app.Services.GetRequiredService<MasterKeyRing>();
        app.Services.GetRequiredService<OperatorKey>();

        app.UseTrustedProxies();
        app.UseStartupGate();
        app.UseSwitchboardSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();

        // A person's browser asking for a page that does not exist gets the dashboard's page, not problem JSON.
        app.UseWhen(
            c => HttpMethods.IsGet(c.Request.Method)
                && c.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
                && !c.Request.Path.StartsWithSegments("/api") && !c.Request.Path.StartsWithSegments("/webhooks")
                && !c.Request.Path.StartsWithSegments("/health") && !c.Request.Path.StartsWithSegments("/simulator"),
            branch => branch.UseStatusCodePagesWithReExecute("/not-found"));

        // Routing after the error and status-code handlers, so that a re-executed request is routed again.
        app.UseRouting();
        app.UseMiddleware<MethodNotAllowed>();
        app.UseAuthentication();
        app.UseSwitchboardRateLimits();
        app.UseAuthorization();
        app.UseConversationScope();
        app.UsePagingLimits();
        app.UseAntiforgery();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapTenants();
        app.MapIdentity();
        app.MapAudit();
        app.MapChannels();
        app.MapWebhooks();
        app.MapConversations();
        app.MapMedia();
        app.MapOutbound();
        app.MapConversationRouting();
        app.MapWorkspace();
        app.MapKnowledge();
        app.MapAutomation();
        app.MapPrivacy();
        app.MapServiceLevels();
        app.MapAnalytics();
        app.MapSatisfaction();
        app.MapTranscripts();
        app.MapFlows();
        app.MapAssistant();
        app.MapEventStream();
        app.MapDashboard();
        app.MapSwitchboardMetrics(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SwitchboardOptions>>().Value);
        return app;
    }
}
