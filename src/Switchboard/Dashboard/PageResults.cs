using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Security;

namespace Switchboard.Dashboard;

/// <summary>
/// What dashboard pages need around the API handlers they call in-process: whether the session may
/// change things (a form can be forged even when the page hides it), and a handler's error as a sentence.
/// </summary>
internal static class PageResults
{
    /// <summary>True when the session holds <paramref name="permission"/>; otherwise answers 403 and returns false.</summary>
    public static bool Permits(HttpContext http, string permission)
    {
        if (http.User.HasScope(permission))
        {
            return true;
        }

        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        return false;
    }

    public const string NotAllowed = "Your role does not allow this change.";

    /// <summary>The message of a problem or validation result, or null when the result is a success.</summary>
    public static string? ErrorOf(IResult result) => result switch
    {
        ValidationProblem v => string.Join(" ", v.ProblemDetails.Errors.SelectMany(e => e.Value)),
        ProblemHttpResult p => p.ProblemDetails.Detail is { } detail ? $"{p.ProblemDetails.Title} {detail}" : p.ProblemDetails.Title,
        _ => null,
    };

    /// <summary>A timestamp as the dashboard shows it (UTC, to the minute).</summary>
    public static string Time(DateTimeOffset? at, string none = "never") =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC" : none;
}
