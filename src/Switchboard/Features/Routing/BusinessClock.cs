namespace Switchboard.Features.Routing;

/// <summary>
/// Business hours as the clock reads them: a time zone, each weekday's open intervals in local minutes
/// (start inclusive, end exclusive, 1440 = the next midnight) and closed local dates.
/// </summary>
internal sealed class BusinessSchedule
{
    private readonly (int Start, int End)[][] week;

    public BusinessSchedule(TimeZoneInfo zone, IEnumerable<(DayOfWeek Day, int StartMinute, int EndMinute)> hours, IEnumerable<DateOnly> holidays)
    {
        Zone = zone;
        week = [.. Enumerable.Range(0, 7).Select(d => hours.Where(h => (int)h.Day == d && h.StartMinute < h.EndMinute)
            .Select(h => (Math.Clamp(h.StartMinute, 0, 1440), Math.Clamp(h.EndMinute, 0, 1440)))
            .OrderBy(h => h.Item1).ToArray())];
        Holidays = holidays.ToHashSet();
    }

    /// <summary>Open all day, every day.</summary>
    public static BusinessSchedule AroundTheClock { get; } =
        new(TimeZoneInfo.Utc, Enum.GetValues<DayOfWeek>().Select(d => (d, 0, 1440)), []);

    public TimeZoneInfo Zone { get; }

    public IReadOnlySet<DateOnly> Holidays { get; }

    public IReadOnlyList<(int Start, int End)> HoursOf(DayOfWeek day) => week[(int)day];
}

/// <summary>
/// Arithmetic in business hours (ADR 0023), pure. Intervals are turned into instants day by day in the
/// calendar's zone, so a day with a DST change has its real length: in a spring-forward gap a wall time
/// means the first instant after the gap; in a fall-back overlap an interval opens at the earlier
/// instant and closes at the later one, and intervals never count the same instant twice.
/// </summary>
internal static class BusinessClock
{
    /// <summary>Consecutive local days without an open minute after which a calendar counts as never open.</summary>
    public const int MaxClosedDays = 400;

    /// <summary>The instant <paramref name="minutes"/> of open time after <paramref name="start"/> (0: the next open instant); null when the calendar never opens.</summary>
    public static DateTimeOffset? AddBusinessMinutes(DateTimeOffset start, int minutes, BusinessSchedule schedule)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minutes);
        var left = TimeSpan.FromMinutes(minutes);
        foreach (var (open, close) in OpenIntervals(start, schedule))
        {
            var length = close - open;
            if (left <= length)
            {
                return open + left;
            }

            left -= length;
        }

        return null;
    }

    /// <summary>Open time from <paramref name="from"/> to <paramref name="to"/> (zero when <paramref name="to"/> is not later).</summary>
    public static TimeSpan BusinessTimeBetween(DateTimeOffset from, DateTimeOffset to, BusinessSchedule schedule)
    {
        var total = TimeSpan.Zero;
        if (to <= from)
        {
            return total;
        }

        foreach (var (open, close) in OpenIntervals(from, schedule))
        {
            if (open >= to)
            {
                break;
            }

            total += (close < to ? close : to) - open;
        }

        return total;
    }

    /// <summary>Whether <paramref name="at"/> falls in open hours.</summary>
    public static bool IsOpen(DateTimeOffset at, BusinessSchedule schedule)
    {
        foreach (var (open, _) in OpenIntervals(at, schedule))
        {
            return open == at;
        }

        return false;
    }

    /// <summary>The open intervals as instants, in order, not overlapping, clipped to start at or after <paramref name="from"/>.</summary>
    public static IEnumerable<(DateTimeOffset Open, DateTimeOffset Close)> OpenIntervals(DateTimeOffset from, BusinessSchedule schedule)
    {
        var zone = schedule.Zone;

        // From the day before: a zone may change its offset at midnight, so that day's last interval can still run.
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(from, zone).DateTime).AddDays(-1);
        var cursor = from;
        for (var closedDays = 0; closedDays < MaxClosedDays; day = day.AddDays(1))
        {
            var any = false;
            if (!schedule.Holidays.Contains(day))
            {
                foreach (var (startMinute, endMinute) in schedule.HoursOf(day.DayOfWeek))
                {
                    var open = ToInstant(day, startMinute, zone, later: false);
                    var close = ToInstant(day, endMinute, zone, later: true);
                    if (open < cursor)
                    {
                        open = cursor;
                    }

                    if (open >= close)
                    {
                        continue;
                    }

                    any = true;
                    cursor = close;
                    yield return (open, close);
                }
            }

            closedDays = any ? 0 : closedDays + 1;
        }
    }

    /// <summary>
    /// The instant of a local wall time: in a gap the first instant after it; in an overlap the earlier
    /// instant, or the later one when <paramref name="later"/>. In UTC: PostgreSQL stores only offset 0.
    /// </summary>
    internal static DateTimeOffset ToInstant(DateOnly day, int minute, TimeZoneInfo zone, bool later)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified).AddMinutes(minute);
        if (zone.IsInvalidTime(local))
        {
            // Walk back to the last valid minute before the gap; the gap ends one minute after it, in its offset.
            var before = local;
            do
            {
                before = before.AddMinutes(-1);
            }
            while (zone.IsInvalidTime(before));

            return new DateTimeOffset(before, zone.GetUtcOffset(before)).AddMinutes(1).ToUniversalTime();
        }

        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local);
            var offset = later ? offsets.Min() : offsets.Max();
            return new DateTimeOffset(local, offset).ToUniversalTime();
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
