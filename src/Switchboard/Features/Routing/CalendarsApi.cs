using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Routing;

/// <summary>Business-hours calendars as the API shows them (ADR 0023), and their validation.</summary>
internal static class CalendarsApi
{
    public const int MaxHours = 70;
    public const int MaxHolidays = 400;

    public sealed record HoursBody(string? Day, string? From, string? To);

    public sealed record HolidayBody(string? Date, string? Name);

    public sealed record CalendarRequest(string? Name, string? TimeZone, HoursBody[]? Hours, HolidayBody[]? Holidays);

    public sealed record CalendarResponse(
        Guid Id, string Name, string TimeZone, IReadOnlyList<HoursBody> Hours, IReadOnlyList<HolidayBody> Holidays, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record ListResponse(IReadOnlyList<CalendarResponse> Items);

    /// <summary>A valid request, parsed.</summary>
    public sealed record Parsed(string Name, string TimeZone, IReadOnlyList<(int Day, int Start, int End)> Hours, IReadOnlyList<(DateOnly Date, string Name)> Holidays);

    private static readonly string[] DayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    public static Outcome<Parsed> Parse(CalendarRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > 128)
        {
            errors["name"] = ["Required, at most 128 characters."];
        }

        if (CalendarZones.Find(request.TimeZone) is null)
        {
            errors["timeZone"] = ["Must be an IANA time zone id, such as Europe/Madrid."];
        }

        var hours = new List<(int Day, int Start, int End)>();
        var given = request.Hours ?? [];
        if (given.Length > MaxHours)
        {
            errors["hours"] = [$"At most {MaxHours} intervals."];
        }

        for (var i = 0; i < given.Length && given.Length <= MaxHours; i++)
        {
            var h = given[i];
            var day = Array.IndexOf(DayNames, h?.Day?.Trim().ToLowerInvariant());
            var from = Minute(h?.From);
            var to = Minute(h?.To);
            if (day < 0)
            {
                errors[$"hours[{i}].day"] = ["Must be monday, tuesday, wednesday, thursday, friday, saturday or sunday."];
            }

            if (from is null or 1440)
            {
                errors[$"hours[{i}].from"] = ["Must be a local time HH:mm from 00:00 to 23:59."];
            }

            if (to is null)
            {
                errors[$"hours[{i}].to"] = ["Must be a local time HH:mm from 00:01 to 24:00."];
            }
            else if (from is not null && to <= from)
            {
                errors[$"hours[{i}].to"] = ["Must be later than from (use 24:00 for midnight)."];
            }

            if (day >= 0 && from is { } f && to is { } t && t > f)
            {
                if (hours.Any(x => x.Day == day && x.Start < t && f < x.End))
                {
                    errors[$"hours[{i}]"] = ["Overlaps another interval of the same day."];
                }

                hours.Add((day, f, t));
            }
        }

        var holidays = new List<(DateOnly, string)>();
        var days = request.Holidays ?? [];
        if (days.Length > MaxHolidays)
        {
            errors["holidays"] = [$"At most {MaxHolidays} holidays."];
        }

        for (var i = 0; i < days.Length && days.Length <= MaxHolidays; i++)
        {
            var h = days[i];
            if (!DateOnly.TryParseExact(h?.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                errors[$"holidays[{i}].date"] = ["Must be a date yyyy-MM-dd."];
            }
            else if (holidays.Any(x => x.Item1 == date))
            {
                errors[$"holidays[{i}].date"] = ["Listed twice."];
            }

            var holidayName = h?.Name?.Trim() ?? "";
            if (holidayName.Length > 128)
            {
                errors[$"holidays[{i}].name"] = ["At most 128 characters."];
            }

            holidays.Add((date, holidayName));
        }

        return errors.Count > 0 ? Failure.Invalid(errors) : new Parsed(name, request.TimeZone!.Trim(), hours, holidays);
    }

    /// <summary>Replaces the calendar's name, zone, hours and holidays with the parsed request (rows added to the unit of work).</summary>
    public static async Task ApplyAsync(SwitchboardDbContext db, Calendar calendar, Parsed parsed, bool isNew, CancellationToken ct)
    {
        calendar.Name = parsed.Name;
        calendar.TimeZone = parsed.TimeZone;
        if (!isNew)
        {
            db.CalendarHours.RemoveRange(await db.CalendarHours.Where(h => h.TenantId == calendar.TenantId && h.CalendarId == calendar.Id).ToListAsync(ct));
            db.Holidays.RemoveRange(await db.Holidays.Where(h => h.TenantId == calendar.TenantId && h.CalendarId == calendar.Id).ToListAsync(ct));

            // The removals first: a kept interval or date has the same key as its replacement.
            await db.SaveChangesAsync(ct);
        }

        db.CalendarHours.AddRange(parsed.Hours.Select(h => new CalendarHours { TenantId = calendar.TenantId, CalendarId = calendar.Id, Day = h.Day, StartMinute = h.Start, EndMinute = h.End }));
        db.Holidays.AddRange(parsed.Holidays.Select(h => new Holiday { TenantId = calendar.TenantId, CalendarId = calendar.Id, Date = h.Date, Name = h.Name }));
    }

    public static async Task<CalendarResponse?> ReadAsync(SwitchboardDbContext db, Guid tenantId, Guid calendarId, CancellationToken ct) =>
        (await ReadManyAsync(db, tenantId, calendarId, ct)).FirstOrDefault();

    public static async Task<List<CalendarResponse>> ReadManyAsync(SwitchboardDbContext db, Guid tenantId, Guid? calendarId, CancellationToken ct)
    {
        var calendars = await db.Calendars.AsNoTracking().Where(c => c.TenantId == tenantId && (calendarId == null || c.Id == calendarId)).OrderBy(c => c.Name).ThenBy(c => c.Id).ToListAsync(ct);
        if (calendars.Count == 0)
        {
            return [];
        }

        var hours = await db.CalendarHours.AsNoTracking().Where(h => h.TenantId == tenantId && (calendarId == null || h.CalendarId == calendarId)).ToListAsync(ct);
        var holidays = await db.Holidays.AsNoTracking().Where(h => h.TenantId == tenantId && (calendarId == null || h.CalendarId == calendarId)).ToListAsync(ct);
        return [.. calendars.Select(c => new CalendarResponse(
            c.Id,
            c.Name,
            c.TimeZone,
            [.. hours.Where(h => h.CalendarId == c.Id).OrderBy(h => (h.Day + 6) % 7).ThenBy(h => h.StartMinute).Select(h => new HoursBody(DayNames[h.Day], Clock(h.StartMinute), Clock(h.EndMinute)))],
            [.. holidays.Where(h => h.CalendarId == c.Id).OrderBy(h => h.Date).Select(h => new HolidayBody(h.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), h.Name))],
            c.CreatedAt,
            c.UpdatedAt))];
    }

    /// <summary>What the audit records of a calendar (no personal data in it).</summary>
    public static object AuditDetail(Parsed p) => new { name = p.Name, timeZone = p.TimeZone, hours = p.Hours.Count, holidays = p.Holidays.Count };

    private static int? Minute(string? value)
    {
        if (value is not { Length: 5 } v || v[2] != ':' || !int.TryParse(v.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var h)
            || !int.TryParse(v.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var m) || m > 59 || h > 24 || (h == 24 && m != 0))
        {
            return null;
        }

        return (h * 60) + m;
    }

    private static string Clock(int minute) => $"{minute / 60:00}:{minute % 60:00}";
}
