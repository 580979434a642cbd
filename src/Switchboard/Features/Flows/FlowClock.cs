using System.Globalization;

namespace Switchboard.Features.Flows;

/// <summary>Time-of-day checks in a named zone.</summary>
internal static class FlowClock
{
    public static TimeZoneInfo? Zone(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>Whether the local time is within from–to (a range past midnight wraps).</summary>
    public static bool Within(DateTimeOffset at, string from, string to, string? zone)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone(zone) ?? TimeZoneInfo.Utc).DateTime);
        var start = TimeOnly.ParseExact(from, "HH:mm", CultureInfo.InvariantCulture);
        var end = TimeOnly.ParseExact(to, "HH:mm", CultureInfo.InvariantCulture);
        return start <= end ? local >= start && local < end : local >= start || local < end;
    }
}
