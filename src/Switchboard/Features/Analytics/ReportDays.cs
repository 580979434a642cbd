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

    /// <summary>
    /// What to read for the totals of <paramref name="range"/> (ADR 0054): hours at the partial-day edges, calendar months
    /// read whole where the range covers them, and for a partly covered month either its days in the range or, when fewer,
    /// the whole month less its days outside the range (sign -1). Days from <paramref name="empty"/> on are not counted in
    /// that choice: they hold no rows yet, so a month running into the future is read whole less its empty days (ADR 0058).
    /// Either choice is exact. Adjacent parts of one table and sign are merged.
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
        for (var month = MonthOf(d.From); month < d.To; month = month.AddMonths(1))
        {
            var end = month.AddMonths(1);
            var (from, to) = (d.From > month ? d.From : month, d.To < end ? d.To : end);
            var inside = DaysBefore(empty, from, to);
            var outside = DaysBefore(empty, month, from) + DaysBefore(empty, to, end);
            if (outside < inside)
            {
                parts.Add(new ReportSpan(RollupTable.Months, new ReportRange(month, end), 1));
                if (from > month)
                {
                    parts.Add(new ReportSpan(RollupTable.Days, new ReportRange(month, from), -1));
                }

                if (to < end)
                {
                    parts.Add(new ReportSpan(RollupTable.Days, new ReportRange(to, end), -1));
                }
            }
            else
            {
                parts.Add(new ReportSpan(RollupTable.Days, new ReportRange(from, to), 1));
            }
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
}

/// <summary>The rollup tables, by grain.</summary>
internal enum RollupTable
{
    Hours,
    Days,
    Weeks,
    Months,
}

/// <summary>Rows of one rollup table over a range (whole units of its grain), added (+1) or taken away (-1).</summary>
internal readonly record struct ReportSpan(RollupTable Table, ReportRange Range, int Sign);
