using Switchboard.Common.Configuration;

namespace Switchboard.Common.Web;

/// <summary>Links people and Meta follow from outside (webhook callback, invite): built on the public base URL.</summary>
internal static class PublicUrls
{
    /// <summary>
    /// The configured public base URL. Production refuses to start without one (<c>SwitchboardEnvironment.Validate</c>),
    /// so only development and demo mode fall back to the request's own scheme and host, which a client can choose.
    /// </summary>
    public static string BaseOf(SwitchboardOptions options, HttpRequest request) =>
        string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? $"{request.Scheme}://{request.Host}{request.PathBase}" : options.PublicBaseUrl.Trim().TrimEnd('/');
}
