using Switchboard.Features.Analytics;

namespace Switchboard.Tests.Analytics;

/// <summary>
/// The signed spans a total is read from (ADR 0054, 0067): whatever mix of years, months, weeks, days and hours is chosen, every
/// hour of the range is counted exactly once and every hour outside it not at all.
/// </summary>
public sealed class ReportSpansTests
{
    private static readonly DateTimeOffset Start = new(2023, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Random_ranges_count_every_hour_inside_once_and_none_outside()
    {
        var random = new Random(20261207);
        for (var i = 0; i < 1_000; i++)
        {
            var from = Start.AddHours(random.Next(0, 4 * 365 * 24));
            var to = from.AddHours(random.Next(1, random.Next(2) == 0 ? 24 * 40 : 24 * 800));
            var empty = ReportDays.DayOf(Start.AddDays(random.Next(0, 5 * 365)));
            AssertExact(new ReportRange(from, to), empty);
        }
    }

    [Theory]
    [InlineData("2025-12-08", "2026-12-08", "2026-12-09")]
    [InlineData("2026-11-08", "2026-12-08", "2026-12-09")]
    [InlineData("2026-12-01", "2026-12-08", "2026-12-09")]
    [InlineData("2024-02-27", "2024-03-02", "2026-01-01")]
    [InlineData("2024-01-01", "2026-01-01", "2026-12-09")]
    public void Report_ranges_are_exact(string from, string to, string empty) =>
        AssertExact(new ReportRange(DateTimeOffset.Parse(from + "T00:00Z"), DateTimeOffset.Parse(to + "T00:00Z")), DateTimeOffset.Parse(empty + "T00:00Z"));

    [Fact]
    public void A_year_to_date_reads_the_year_row_and_the_last_year_part_less_what_lies_outside()
    {
        // The agents report's 365 days at 10,000,000 messages: twelve month spans before; a year, a month and a week now.
        var spans = ReportDays.Spans(new ReportRange(At("2025-12-08"), At("2026-12-08")), At("2026-12-09"));
        spans.Should().Contain(new ReportSpan(RollupTable.Years, new ReportRange(At("2026-01-01"), At("2027-01-01")), 1));
        spans.Should().Contain(new ReportSpan(RollupTable.Months, new ReportRange(At("2025-12-01"), At("2026-01-01")), 1));
        spans.Should().Contain(new ReportSpan(RollupTable.Weeks, new ReportRange(At("2025-12-01"), At("2025-12-08")), -1));
        spans.Where(s => s.Table == RollupTable.Months).Should().HaveCount(1);

        // A whole past year is one year span.
        ReportDays.Spans(new ReportRange(At("2024-01-01"), At("2025-01-01")), At("2026-12-09"))
            .Should().Equal(new ReportSpan(RollupTable.Years, new ReportRange(At("2024-01-01"), At("2025-01-01")), 1));
    }

    [Fact]
    public void Seven_days_of_a_month_that_is_read_whole_are_taken_away_as_a_week_not_as_seven_days()
    {
        var spans = ReportDays.Spans(new ReportRange(At("2026-11-08"), At("2026-12-08")), At("2026-12-09"));
        spans.Should().Contain(new ReportSpan(RollupTable.Months, new ReportRange(At("2026-11-01"), At("2027-01-01")), 1));
        spans.Should().Contain(new ReportSpan(RollupTable.Weeks, new ReportRange(At("2026-11-02"), At("2026-11-09")), -1));
        var empty = At("2026-12-09");
        spans.Where(s => s.Table == RollupTable.Days && s.Range.From < empty).Sum(s => ((s.Range.To < empty ? s.Range.To : empty) - s.Range.From).Days)
            .Should().BeLessThanOrEqualTo(3, "days from the empty one on hold no rows");
    }

    private static DateTimeOffset At(string day) => DateTimeOffset.Parse(day + "T00:00Z");

    private static void AssertExact(ReportRange range, DateTimeOffset empty)
    {
        var spans = ReportDays.Spans(range, empty);
        var counted = new Dictionary<DateTimeOffset, int>();
        foreach (var span in spans)
        {
            var step = span.Table == RollupTable.Hours ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
            (span.Range.From < span.Range.To).Should().BeTrue($"{span} of {range} is not empty");
            var unitStart = span.Table switch
            {
                RollupTable.Years => ReportDays.YearOf(span.Range.From),
                RollupTable.Months => ReportDays.MonthOf(span.Range.From),
                RollupTable.Weeks => ReportDays.WeekOf(span.Range.From),
                RollupTable.Days => ReportDays.DayOf(span.Range.From),
                _ => span.Range.From,
            };
            unitStart.Should().Be(span.Range.From, $"{span} of {range} starts at a whole unit");
            for (var at = span.Range.From; at < span.Range.To; at += step)
            {
                foreach (var hour in Enumerable.Range(0, (int)(step / TimeSpan.FromHours(1))).Select(h => at.AddHours(h)))
                {
                    counted[hour] = counted.GetValueOrDefault(hour) + span.Sign;
                }
            }
        }

        var wrong = counted.Where(c => c.Value != (c.Key >= range.From && c.Key < range.To ? 1 : 0)).Select(c => c.Key).Take(3).ToList();
        wrong.Should().BeEmpty($"the spans of {range.From:O} to {range.To:O} (empty from {empty:O}) were {string.Join(", ", spans)}");
        for (var hour = range.From; hour < range.To; hour = hour.AddHours(1))
        {
            counted.GetValueOrDefault(hour).Should().Be(1, $"{hour:O} is inside {range.From:O} to {range.To:O}");
        }
    }
}
