namespace Switchboard.Common.Web;

/// <summary>
/// Response headers that make the browser refuse what Switchboard never does: sniffing content types,
/// framing, leaking the URL in a Referer, and loading scripts or connecting anywhere but here.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// The dashboard (Blazor Server: scripts from here, a WebSocket back to here). <c>connect-src 'self'</c>
    /// covers the circuit's ws:/wss: connection to this same host (CSP Level 3); no other host is reachable.
    /// </summary>
    public const string HtmlPolicy =
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'; "
        + "img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

    /// <summary>Where demo mode mounts the Cloud API simulator (<c>DemoMode</c>).</summary>
    public const string SimulatorPrefix = "/simulator";

    /// <summary>
    /// The demo's Cloud API simulator page (only mounted in demo mode) is one HTML file with an inline
    /// script, inline styles and an inline <c>onerror</c>; it gets what it needs, the dashboard does not.
    /// </summary>
    public const string SimulatorPolicy =
        "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'; "
        + "img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; connect-src 'self'";

    /// <summary>JSON, problem details, event streams, files: nothing in them may load or run anything.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Files customers sent (attachments), whatever their type: if a browser renders one, it runs in a
    /// sandbox (a unique origin: no cookies, no storage, no script) and may load nothing.
    /// </summary>
    public const string UntrustedContentPolicy = "sandbox; default-src 'none'";

    /// <summary>Marks endpoints that serve bytes a customer chose: every answer gets <see cref="UntrustedContentPolicy"/>.</summary>
    public static TBuilder ServesUntrustedContent<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(UntrustedContent.Instance);

    /// <summary>First in the pipeline, so error pages and rejections carry the headers too.</summary>
    public static WebApplication UseSwitchboardSecurityHeaders(this WebApplication app)
    {
        // HSTS pins browsers to HTTPS for a year; never on the plain-http development, test or demo set-ups
        // (the middleware itself also skips http requests and localhost).
        if (!app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing"))
        {
            app.UseHsts();
        }

        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state => Apply((HttpContext)state), context);
            return next(context);
        });
        return app;
    }

    internal static Task Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        if (context.GetEndpoint()?.Metadata.GetMetadata<UntrustedContent>() is not null)
        {
            headers.ContentSecurityPolicy = UntrustedContentPolicy;
        }
        else if (headers.ContentSecurityPolicy.Count == 0)
        {
            var isHtml = context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true;
            headers.ContentSecurityPolicy = !isHtml ? ApiPolicy
                : context.Request.Path.StartsWithSegments(SimulatorPrefix) ? SimulatorPolicy
                : HtmlPolicy;
        }

        return Task.CompletedTask;
    }
}

/// <summary>Endpoint metadata: the response body is content a customer chose (see <see cref="SecurityHeaders.ServesUntrustedContent"/>).</summary>
internal sealed class UntrustedContent
{
    public static readonly UntrustedContent Instance = new();

    private UntrustedContent()
    {
    }
}
