using Switchboard.Common.Security;

namespace Switchboard.Dashboard;

/// <summary>
/// What dashboard pages need around the use cases they call in-process: whether the session may change
/// things (a form can be forged even when the page hides it).
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
}
