using Microsoft.AspNetCore.Authorization;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Switchboard.Common.Configuration;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Common.Telemetry;

/// <summary>
/// Metrics on <c>Switchboard:Metrics:Enabled</c> (Prometheus text at <c>/metrics</c>, operator key), traces
/// exported over OTLP when <c>Switchboard:Telemetry:OtlpEndpoint</c> is set. Neither: no provider at all,
/// so instruments have no listener and record nothing (ADR 0036).
/// </summary>
internal static class TelemetrySetup
{
    public const string MetricsPath = "/metrics";

    public static IServiceCollection AddSwitchboardTelemetry(this IServiceCollection services, SwitchboardOptions options)
    {
        var metrics = options.Metrics.Enabled;
        var otlp = options.Telemetry.OtlpEndpoint;
        if (!metrics && otlp is null)
        {
            return services;
        }

        var telemetry = services.AddOpenTelemetry();
        if (metrics)
        {
            telemetry.WithMetrics(m => m
                .AddMeter(SwitchboardTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        }

        if (otlp is not null)
        {
            // Query strings are redacted by both instrumentations; SQL is traced as text with its parameters left out.
            telemetry.WithTracing(t => t
                .AddSource(SwitchboardTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => o.Endpoint = otlp));
        }

        return services;
    }

    /// <summary>Maps <c>/metrics</c> for the operator only, when metrics are on; otherwise the path stays unknown (404).</summary>
    public static IEndpointRouteBuilder MapSwitchboardMetrics(this IEndpointRouteBuilder routes, SwitchboardOptions options)
    {
        if (options.Metrics.Enabled)
        {
            // The bearer scheme only: a scraper without the key gets 401, not the dashboard's sign-in redirect.
            routes.MapPrometheusScrapingEndpoint(MetricsPath)
                .RequireAuthorization(new AuthorizeAttribute(TenantPolicies.Operator) { AuthenticationSchemes = SwitchboardClaims.Scheme })
                .ExcludeFromDescription();
        }

        return routes;
    }
}
