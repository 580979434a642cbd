namespace Switchboard.Features.Analytics;

/// <summary>Whole UTC days (ADR 0049).</summary>
internal static class ReportDays
{
    public static DateTimeOffset DayOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerDay), TimeSpan.Zero);

    public static bool IsMidnight(DateTimeOffset at) => at.UtcTicks % TimeSpan.TicksPerDay == 0;

    /// <summary>The whole days inside <paramref name="range"/> (null: none) and the hours before and after them.</summary>
    public static (ReportRange? Days, List<ReportRange> Hours) Split(ReportRange range)
    {
        var first = IsMidnight(range.From) ? range.From : DayOf(range.From).AddDays(1);
        var last = DayOf(range.To);
        if (first >= last)
        {
            return (null, [range]);
        }

        var hours = new List<ReportRange>();
        if (range.From < first)
        {
            hours.Add(new ReportRange(range.From, first));
        }

        if (last < range.To)
        {
            hours.Add(new ReportRange(last, range.To));
        }

        return (new ReportRange(first, last), hours);
    }

    /// <summary>Monday 00:00 UTC of the ISO week holding <paramref name="at"/>.</summary>
    public static DateTimeOffset WeekOf(DateTimeOffset at)
    {
        var day = DayOf(at);
        return day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
    }

    /// <summary>
    /// What to read for a weekly series over <paramref name="range"/> (ADR 0058): hours at the partial-day edges, the ISO weeks the range
    /// covers whole from week rows, and the days before the first and after the last of them from day rows.
    /// </summary>
    public static List<ReportSpan> WeekSpans(ReportRange range)
    {
        var (days, hours) = Split(range);
        var spans = hours.Select(h => new ReportSpan(RollupTable.Hours, h, 1)).ToList();
        if (days is not { } d)
        {
            return spans;
        }

        var first = WeekOf(d.From) == d.From ? d.From : WeekOf(d.From).AddDays(7);
        var last = WeekOf(d.To);
        if (first >= last)
        {
            spans.Add(new ReportSpan(RollupTable.Days, d, 1));
            return spans;
        }

        spans.Add(new ReportSpan(RollupTable.Weeks, new ReportRange(first, last), 1));
        if (d.From < first)
        {
            spans.Add(new ReportSpan(RollupTable.Days, new ReportRange(d.From, first), 1));
        }

        if (last < d.To)
        {
            spans.Add(new ReportSpan(RollupTable.Days, new ReportRange(last, d.To), 1));
        }

        return spans;
    }

    /// <summary>How many days of <c>[from, to)</c> start before <paramref name="empty"/>.</summary>
    private static int DaysBefore(DateTimeOffset empty, DateTimeOffset from, DateTimeOffset to) => Math.Max(0, ((to < empty ? to : empty) - from).Days);

    public static DateTimeOffset MonthOf(DateTimeOffset at) => new(at.UtcDateTime.Year, at.UtcDateTime.Month, 1, 0, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset YearOf(DateTimeOffset at) => new(at.UtcDateTime.Year, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// What to read for the totals of <paramref name="range"/> (ADR 0054, 0067): hours at the partial-day edges, and the whole days
    /// between as the cheapest exact sum of signed year, month, week and day spans. Each calendar year, then each month in it, then
    /// each ISO week in that, is read either as its parts inside the range, or whole less its parts outside (sign -1), whichever reads
    /// fewer rows by <see cref="Cost"/>. Days from <paramref name="empty"/> on hold no rows yet and cost nothing (ADR 0058).
    /// Every choice is exact. Adjacent parts of one table and sign are merged.
    /// </summary>
    public static List<ReportSpan> Spans(ReportRange range, DateTimeOffset empty)
    {
        var (days, hours) = Split(range);
        var spans = hours.Select(h => new ReportSpan(RollupTable.Hours, h, 1)).ToList();
        if (days is not { } d)
        {
            return spans;
        }

        var parts = new List<ReportSpan>();
        for (var year = YearOf(d.From); year < d.To; year = year.AddYears(1))
        {
            parts.AddRange(Cheaper(RollupTable.Years, year, d, 1, empty));
        }

        foreach (var part in parts)
        {
            var merged = spans.FindIndex(s => s.Table == part.Table && s.Sign == part.Sign && (s.Range.To == part.Range.From || s.Range.From == part.Range.To));
            if (merged < 0)
            {
                spans.Add(part);
            }
            else
            {
                var s = spans[merged];
                spans[merged] = s with { Range = new ReportRange(s.Range.From < part.Range.From ? s.Range.From : part.Range.From, s.Range.To > part.Range.To ? s.Range.To : part.Range.To) };
            }
        }

        return spans;
    }

    /// <summary>
    /// Rows read per unit, relative to a day's: at 10,000,000 messages one day of every agent's counters is ~18,000 rows, a week ~33,000,
    /// a month ~37,000 and a year ~41,000 (the buckets of a busy group fill up within days). Only the order of costs matters, never the sum.
    /// </summary>
    private static double Cost(RollupTable table) => table switch
    {
        RollupTable.Years => 2.5,
        RollupTable.Months => 2,
        RollupTable.Weeks => 2,
        _ => 1,
    };

    /// <summary>The whole unit of <paramref name="table"/> that starts at <paramref name="start"/>.</summary>
    private static ReportRange Unit(RollupTable table, DateTimeOffset start) => new(start, table switch
    {
        RollupTable.Years => start.AddYears(1),
        RollupTable.Months => start.AddMonths(1),
        RollupTable.Weeks => start.AddDays(7),
        _ => start.AddDays(1),
    });

    /// <summary>
    /// The days of <paramref name="range"/> inside the unit of <paramref name="table"/> starting at <paramref name="start"/>, with
    /// <paramref name="sign"/>: the cheaper of its parts inside, or the whole unit less its parts outside.
    /// </summary>
    private static List<ReportSpan> Cheaper(RollupTable table, DateTimeOffset start, ReportRange range, int sign, DateTimeOffset empty)
    {
        var unit = Unit(table, start);
        var (from, to) = (range.From > unit.From ? range.From : unit.From, range.To < unit.To ? range.To : unit.To);
        if (from >= to)
        {
            return [];
        }

        var inside = Finer(table, new ReportRange(from, to), sign, empty);
        List<ReportSpan> whole = [new ReportSpan(table, unit, sign), .. Finer(table, new ReportRange(unit.From, from), -sign, empty), .. Finer(table, new ReportRange(to, unit.To), -sign, empty)];
        return Total(whole, empty) < Total(inside, empty) ? whole : inside;
    }

    /// <summary><paramref name="range"/> (inside one unit of <paramref name="table"/>) in the units one grain finer: months of a year, ISO weeks of a month, days of a week.</summary>
    private static List<ReportSpan> Finer(RollupTable table, ReportRange range, int sign, DateTimeOffset empty)
    {
        if (range.From >= range.To)
        {
            return [];
        }

        if (table == RollupTable.Weeks)
        {
            return [new ReportSpan(RollupTable.Days, range, sign)];
        }

        var parts = new List<ReportSpan>();
        var finer = table == RollupTable.Years ? RollupTable.Months : RollupTable.Weeks;
        for (var start = finer == RollupTable.Months ? MonthOf(range.From) : WeekOf(range.From); start < range.To; start = Unit(finer, start).To)
        {
            parts.AddRange(Cheaper(finer, start, range, sign, empty));
        }

        return parts;
    }

    /// <summary>The rows a set of spans reads, by <see cref="Cost"/>: a unit (or a day) from <paramref name="empty"/> on reads none.</summary>
    private static double Total(List<ReportSpan> spans, DateTimeOffset empty) => spans.Sum(s => s.Table == RollupTable.Days
        ? DaysBefore(empty, s.Range.From, s.Range.To)
        : s.Range.From < empty ? Cost(s.Table) : 0);
}

/// <summary>The rollup tables, by grain.</summary>
internal enum RollupTable
{
    Hours,
    Days,
    Weeks,
    Months,
    Years,
}

/// <summary>Rows of one rollup table over a range (whole units of its grain), added (+1) or taken away (-1).</summary>
internal readonly record struct ReportSpan(RollupTable Table, ReportRange Range, int Sign);
