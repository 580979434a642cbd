using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;

namespace Switchboard.Common.Web;

/// <summary>
/// Streaming endpoints answer only pages of this server: a request whose <c>Origin</c> is another site
/// is refused (403) before the stream opens, so a page elsewhere cannot ride a signed-in browser into a
/// tenant's live events. No <c>Origin</c> (a server-to-server client, curl) is allowed; the bearer token
/// still decides.
/// </summary>
internal static class OriginCheck
{
    public static TBuilder RequireSameOrigin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
            IsAllowed(context.HttpContext)
                ? await next(context)
                : TypedResults.Problem(
                    title: "This stream does not answer pages of other sites.",
                    statusCode: StatusCodes.Status403Forbidden,
                    type: Problems.ForbiddenType));

    internal static bool IsAllowed(HttpContext http)
    {
        var origins = http.Request.Headers.Origin;
        if (origins.Count == 0)
        {
            return true;
        }

        if (origins.Count > 1 || Normalize(origins[0]) is not { } origin)
        {
            return false; // "null" (sandboxed or file pages), garbage, or several origins.
        }

        var options = http.RequestServices.GetRequiredService<IOptions<SwitchboardOptions>>().Value;
        return Same(origin, $"{http.Request.Scheme}://{http.Request.Host.Value}")
            || Same(origin, options.PublicBaseUrl)
            || options.AllowedOrigins.Any(allowed => Same(origin, allowed));
    }

    private static bool Same(string origin, string? candidate) =>
        Normalize(candidate) is { } other && string.Equals(origin, other, StringComparison.OrdinalIgnoreCase);

    /// <summary>scheme://host[:port], default ports dropped; null when it is not an absolute http(s) URL.</summary>
    private static string? Normalize(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri.GetLeftPart(UriPartial.Authority)
            : null;
}
