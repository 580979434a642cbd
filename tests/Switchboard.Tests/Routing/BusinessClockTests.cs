using CsCheck;
using Switchboard.Features.Routing;

namespace Switchboard.Tests.Routing;

/// <summary>Business-hours arithmetic (ADR 0023): weekends, split days, holidays, DST gaps and overlaps, never-open calendars.</summary>
public sealed class BusinessClockTests
{
    private static readonly TimeZoneInfo Madrid = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    private static BusinessSchedule Schedule(TimeZoneInfo zone, string hours, params DateOnly[] holidays) =>
        new(zone, Parse(hours), holidays);

    /// <summary>"mon-fri 09:00-17:00; sat 10:00-12:00" style, for readable tests.</summary>
    private static IEnumerable<(DayOfWeek, int, int)> Parse(string text)
    {
        string[] names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (days, spans) = (part[..part.IndexOf(' ', StringComparison.Ordinal)], part[(part.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            var range = days.Split('-');
            var first = Array.IndexOf(names, range[0]);
            var last = Array.IndexOf(names, range[^1]);
            foreach (var span in spans.Split(',', StringSplitOptions.TrimEntries))
            {
                var (from, to) = (Minute(span[..5]), Minute(span[6..]));
                for (var d = first; d <= last; d++)
                {
                    yield return ((DayOfWeek)d, from, to);
                }
            }
        }

        static int Minute(string hhmm) => (int.Parse(hhmm[..2], System.Globalization.CultureInfo.InvariantCulture) * 60) + int.Parse(hhmm[3..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DateTimeOffset Local(TimeZoneInfo zone, string local)
    {
        var time = DateTime.Parse(local, System.Globalization.CultureInfo.InvariantCulture);
        return new DateTimeOffset(time, zone.GetUtcOffset(time));
    }

    [Fact]
    public void Friday_afternoon_plus_an_hour_is_monday_morning()
    {
        var office = Schedule(Madrid, "mon-fri 09:00-17:00");

        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-01-09 16:30"), 60, office).Should().Be(Local(Madrid, "2026-01-12 09:30"));
        BusinessClock.BusinessTimeBetween(Local(Madrid, "2026-01-09 16:30"), Local(Madrid, "2026-01-12 09:30"), office).Should().Be(TimeSpan.FromHours(1));
    }

    [Fact]
    public void A_split_day_skips_the_lunch_break()
    {
        var shop = Schedule(Madrid, "mon-fri 08:00-12:00,13:30-18:00");

        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-02-03 11:30"), 60, shop).Should().Be(Local(Madrid, "2026-02-03 14:00"));
        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-02-03 12:15"), 0, shop).Should().Be(Local(Madrid, "2026-02-03 13:30"), "zero minutes is the next open instant");
        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-02-03 17:30"), 8 * 60, shop).Should().Be(Local(Madrid, "2026-02-04 17:00"), "30 min today, 4 h before lunch, 3.5 h after");
        BusinessClock.IsOpen(Local(Madrid, "2026-02-03 12:30"), shop).Should().BeFalse();
        BusinessClock.IsOpen(Local(Madrid, "2026-02-03 13:30"), shop).Should().BeTrue();
        BusinessClock.IsOpen(Local(Madrid, "2026-02-03 18:00"), shop).Should().BeFalse("an interval's end is closed");
    }

    [Fact]
    public void Holidays_are_closed_all_day_and_the_eve_counts_normally()
    {
        var office = Schedule(Madrid, "mon-fri 09:00-17:00", new DateOnly(2026, 12, 25), new DateOnly(2026, 12, 28));

        // The eve (Thursday 24th) is an ordinary day; Friday 25th and Monday 28th are holidays.
        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-12-24 16:30"), 60, office).Should().Be(Local(Madrid, "2026-12-29 09:30"));
        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-12-24 15:00"), 60, office).Should().Be(Local(Madrid, "2026-12-24 16:00"));

        // Starting on the holiday or in a closed weekend waits for the next open day.
        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-12-25 10:00"), 30, office).Should().Be(Local(Madrid, "2026-12-29 09:30"));
        BusinessClock.AddBusinessMinutes(Local(Madrid, "2026-12-26 23:00"), 0, office).Should().Be(Local(Madrid, "2026-12-29 09:00"));
        BusinessClock.IsOpen(Local(Madrid, "2026-12-25 10:00"), office).Should().BeFalse();
        BusinessClock.BusinessTimeBetween(Local(Madrid, "2026-12-24 00:00"), Local(Madrid, "2026-12-30 00:00"), office).Should().Be(TimeSpan.FromHours(16));
    }

    [Fact]
    public void Madrid_spring_forward_makes_the_night_shift_five_hours_and_a_wall_time_in_the_gap_means_its_end()
    {
        var night = Schedule(Madrid, "sun 00:00-06:00");
        var day = new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero); // 00:00 CET on Sunday 29 March

        BusinessClock.BusinessTimeBetween(day, day.AddDays(1), night).Should().Be(TimeSpan.FromHours(5));
        BusinessClock.AddBusinessMinutes(day, 5 * 60, night).Should().Be(new DateTimeOffset(2026, 3, 29, 4, 0, 0, TimeSpan.Zero), "06:00 CEST");

        // An interval inside the gap does not exist; one starting in it opens when the gap ends (03:00 CEST = 01:00 UTC).
        BusinessClock.BusinessTimeBetween(day, day.AddDays(1), Schedule(Madrid, "sun 02:00-03:00")).Should().Be(TimeSpan.Zero);
        BusinessClock.AddBusinessMinutes(day, 0, Schedule(Madrid, "sun 02:30-04:00")).Should().Be(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Madrid_fall_back_makes_the_night_shift_seven_hours_without_counting_the_repeated_hour_twice()
    {
        var day = new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero); // 00:00 CEST on Sunday 25 October

        BusinessClock.BusinessTimeBetween(day, day.AddDays(1), Schedule(Madrid, "sun 00:00-06:00")).Should().Be(TimeSpan.FromHours(7));

        // 02:30 happens twice: the first interval ends at the later 02:30, the second opens at the earlier one; together still 7 h.
        BusinessClock.BusinessTimeBetween(day, day.AddDays(1), Schedule(Madrid, "sun 00:00-02:30,02:30-06:00")).Should().Be(TimeSpan.FromHours(7));
        BusinessClock.AddBusinessMinutes(day, 7 * 60, Schedule(Madrid, "sun 00:00-02:30,02:30-06:00")).Should().Be(new DateTimeOffset(2026, 10, 25, 5, 0, 0, TimeSpan.Zero), "06:00 CET");
    }

    [Fact]
    public void Lord_Howe_moves_its_clocks_by_half_an_hour()
    {
        var lordHowe = TimeZoneInfo.FindSystemTimeZoneById("Australia/Lord_Howe");
        var night = Schedule(lordHowe, "sun 00:00-06:00");

        // First Sunday of April: 02:00 (+11) back to 01:30 (+10:30); first Sunday of October: 02:00 (+10:30) to 02:30 (+11).
        var april = new DateTimeOffset(2026, 4, 5, 0, 0, 0, TimeSpan.FromHours(11));
        var october = new DateTimeOffset(2026, 10, 4, 0, 0, 0, TimeSpan.FromHours(10.5));
        BusinessClock.BusinessTimeBetween(april, april.AddDays(1), night).Should().Be(TimeSpan.FromHours(6.5));
        BusinessClock.BusinessTimeBetween(october, october.AddDays(1), night).Should().Be(TimeSpan.FromHours(5.5));
    }

    [Fact]
    public void Midnight_ends_a_day_and_the_next_day_continues_it()
    {
        var late = Schedule(TimeZoneInfo.Utc, "mon 22:00-24:00; tue 00:00-02:00");

        BusinessClock.AddBusinessMinutes(new DateTimeOffset(2026, 6, 1, 23, 0, 0, TimeSpan.Zero), 120, late).Should().Be(new DateTimeOffset(2026, 6, 2, 1, 0, 0, TimeSpan.Zero));
        BusinessClock.IsOpen(new DateTimeOffset(2026, 6, 2, 0, 0, 0, TimeSpan.Zero), late).Should().BeTrue();
    }

    [Fact]
    public void A_calendar_that_never_opens_gives_no_due_time()
    {
        var start = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

        BusinessClock.AddBusinessMinutes(start, 1, Schedule(Madrid, "")).Should().BeNull();
        BusinessClock.AddBusinessMinutes(start, 0, Schedule(Madrid, "")).Should().BeNull();
        BusinessClock.IsOpen(start, Schedule(Madrid, "")).Should().BeFalse();

        // Open only on a date that is a holiday every time it comes round within the bound is still "never" for that stretch.
        var holidays = Enumerable.Range(0, 600).Select(i => new DateOnly(2026, 6, 1).AddDays(i)).ToArray();
        BusinessClock.AddBusinessMinutes(start, 1, Schedule(Madrid, "mon-sun 09:00-17:00", holidays)).Should().BeNull();
    }

    [Fact]
    public void Around_the_clock_adds_plain_minutes()
    {
        var start = new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);

        BusinessClock.AddBusinessMinutes(start, 3000, BusinessSchedule.AroundTheClock).Should().Be(start.AddMinutes(3000));
    }

    [Fact]
    public void Time_between_a_start_and_the_due_time_of_n_minutes_is_n_minutes()
    {
        string[] zones = ["Europe/Madrid", "Australia/Lord_Howe", "America/New_York", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham", "UTC"];
        var day = Gen.Int[0, 95].Array[0, 6].Select(b => b.Distinct().Order().ToArray());
        var week = day.Array[7];
        var start = Gen.Long[new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), new DateTimeOffset(2029, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds()];
        var holidays = Gen.Int[0, 1460].Array[0, 30];

        Gen.Select(Gen.Int[0, zones.Length - 1], week, start, Gen.Int[0, 20_000], holidays).Sample(
            (zoneIndex, bounds, seconds, minutes, holidayOffsets) =>
            {
                var zone = TimeZoneInfo.FindSystemTimeZoneById(zones[zoneIndex]);
                var hours = bounds.SelectMany((b, d) => Enumerable.Range(0, b.Length / 2).Select(i => ((DayOfWeek)d, b[2 * i] * 15, b[(2 * i) + 1] * 15)));
                var schedule = new BusinessSchedule(zone, hours, holidayOffsets.Select(o => new DateOnly(2025, 1, 1).AddDays(o)));
                var from = DateTimeOffset.FromUnixTimeSeconds(seconds);

                var due = BusinessClock.AddBusinessMinutes(from, minutes, schedule);
                if (due is null)
                {
                    return bounds.All(b => b.Length < 2);
                }

                return due >= from && BusinessClock.BusinessTimeBetween(from, due.Value, schedule) == TimeSpan.FromMinutes(minutes);
            },
            iter: 400);
    }
}
