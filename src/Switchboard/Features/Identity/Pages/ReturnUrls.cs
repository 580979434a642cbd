namespace Switchboard.Features.Identity.Pages;

internal static class ReturnUrls
{
    /// <summary>Only a local path is followed after sign-in (no open redirects).</summary>
    public static string Safe(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : "/";
}
