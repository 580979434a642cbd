using System.Globalization;

namespace Switchboard.Dashboard;

/// <summary>
/// The viewer's time zone, in which the dashboard shows every timestamp. The browser tells it: a cookie
/// that <c>dashboard.js</c> sets for server-rendered pages, and a JS call on an interactive page's first
/// render. Until then, or when the browser names a zone this server does not know, times are UTC and
/// say so.
/// </summary>
internal sealed class ViewerTime
{
    /// <summary>Set by <c>dashboard.js</c> from <c>Intl.DateTimeFormat().resolvedOptions().timeZone</c>.</summary>
    public const string CookieName = "switchboard-tz";

    private ViewerTime(TimeZoneInfo zone, bool known)
    {
        Zone = zone;
        Known = known;
    }

    public static ViewerTime Utc { get; } = new(TimeZoneInfo.Utc, known: false);

    public TimeZoneInfo Zone { get; }

    /// <summary>False when the browser has not (yet) named a zone that this server knows: times are UTC and labelled.</summary>
    public bool Known { get; }

    /// <summary>The zone's IANA id as the browser named it, or UTC.</summary>
    public string? Id => Known ? Zone.Id : null;

    public static ViewerTime FromId(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '-' or '+'))
        {
            return Utc;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? new ViewerTime(zone, known: true) : Utc;
    }

    /// <summary>The zone a server-rendered request's cookie names (UTC without one).</summary>
    public static ViewerTime FromRequest(HttpContext? http) => FromId(http?.Request.Cookies[CookieName]);

    public DateTimeOffset Local(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Zone);

    /// <summary><paramref name="at"/> in the viewer's zone with a .NET format; " UTC" is added when the zone is not known.</summary>
    public string Format(DateTimeOffset at, string format) =>
        Local(at).ToString(format, CultureInfo.InvariantCulture) + (Known ? "" : " UTC");

    /// <summary>A date and time to the minute, as admin pages show it.</summary>
    public string Stamp(DateTimeOffset? at, string none = "never") => at is { } value ? Format(value, "yyyy-MM-dd HH:mm") : none;

    /// <summary>The time for today's timestamps, the day and month for older ones (in the viewer's zone, both).</summary>
    public string Short(DateTimeOffset? at, DateTimeOffset now) =>
        at is not { } value ? "" : Local(value).Date == Local(now).Date ? Format(value, "HH:mm") : Format(value, "d MMM");
}
