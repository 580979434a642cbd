using Switchboard.Common.Web;

namespace Switchboard.Common.Persistence;

/// <summary>
/// Until the schema is current and the deletion ledger re-applied (ADR 0038), every request but the health probes
/// answers 503: a node started while the database was away must not serve restored data an erase already removed.
/// </summary>
internal static class StartupGate
{
    public static IApplicationBuilder UseStartupGate(this IApplicationBuilder app)
    {
        var state = app.ApplicationServices.GetRequiredService<MigrationState>();
        return app.Use(async (context, next) =>
        {
            if (state.IsCurrent || context.Request.Path.StartsWithSegments("/health"))
            {
                await next(context);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "2";
            await context.Response.WriteAsJsonAsync(
                new { type = Problems.UnavailableType, title = "Starting: the database is not ready yet.", status = 503 },
                options: null, contentType: "application/problem+json");
        });
    }
}
