using System.Security.Claims;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Dashboard;

/// <summary>
/// What an admin page shows after an action (ADR 0045): a notice, an error, and field errors named as the API
/// names them. The permission check before a change and the reading of a use case's outcome are the same on
/// every page that edits through the use cases, so they live here once; <see cref="PageNotices"/> draws it.
/// </summary>
public sealed class PageFeedback
{
    public string? Message { get; set; }

    public string? Error { get; set; }

    public Dictionary<string, string[]> Errors { get; set; } = [];

    /// <summary>Clears the notice, error and field errors.</summary>
    public void Clear() => (Message, Error, Errors) = (null, null, []);

    /// <summary>True when the session holds <paramref name="permission"/>; otherwise shows that it may not (a page's button can be forged).</summary>
    internal bool Allow(ClaimsPrincipal user, string permission)
    {
        if (user.HasScope(permission))
        {
            return true;
        }

        Error = PageResults.NotAllowed;
        return false;
    }

    /// <summary>
    /// The outcome's value with <paramref name="done"/> as the notice, or null with the failure shown: its field errors,
    /// and <paramref name="invalid"/> (when given) instead of the failure's own message for invalid input.
    /// </summary>
    internal T? Show<T>(Outcome<T> outcome, string? done, string? invalid = null)
        where T : class
    {
        if (outcome.Failure is { } failure)
        {
            Errors = failure.Errors is { } e ? new Dictionary<string, string[]>(e) : [];
            (Message, Error) = (null, failure.IsInvalid && invalid is not null ? invalid : failure.FullMessage);
            return null;
        }

        (Message, Error, Errors) = (done, null, []);
        return outcome.Value;
    }
}
