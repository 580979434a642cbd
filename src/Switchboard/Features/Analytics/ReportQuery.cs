using System.Globalization;
using Switchboard.Common.Web;

namespace Switchboard.Features.Analytics;

/// <summary>
/// What a report asks for, checked: the hours (<c>from</c> inclusive, <c>to</c> exclusive, rounded out to
/// whole UTC hours; a date alone for <c>to</c> includes that day), at most one group filter, and for a
/// time series the metric and interval (hour, day, or ISO week: Monday 00:00 UTC to the next Monday, ADR 0030).
/// </summary>
internal sealed record ReportQuery(ReportRange Range, ReportGroup Group, string? Metric, string Interval, bool Csv)
{
    public const int MaxDays = 400;
    public const int MaxHourlyPoints = 24 * 93;

    public static Outcome<ReportQuery> Parse(
        string? from, string? to, Guid? channelId, Guid? teamId, Guid? agentId, Guid? labelId, string? format, DateTimeOffset now, string? metric = null, string? interval = null, bool series = false)
    {
        var errors = new Dictionary<string, string[]>();
        var end = ParseTime(to, endOfDay: true, "to", errors) ?? Ceiling(now);
        var start = ParseTime(from, endOfDay: false, "from", errors) ?? end.AddDays(-7);
        start = DurationBuckets.HourOf(start);
        end = Ceiling(end);
        if (errors.Count == 0 && start >= end)
        {
            errors["to"] = ["Must be later than from."];
        }
        else if (errors.Count == 0 && end - start > TimeSpan.FromDays(MaxDays))
        {
            errors["from"] = [$"A report covers at most {MaxDays} days."];
        }

        var filters = new (string Name, string Dimension, Guid? Id)[]
        {
            ("channelId", ReportDimension.Channel, channelId), ("teamId", ReportDimension.Team, teamId),
            ("agentId", ReportDimension.Agent, agentId), ("labelId", ReportDimension.Label, labelId),
        }.Where(f => f.Id is not null).ToList();
        if (filters.Count > 1)
        {
            errors[filters[1].Name] = ["Filter by one of channelId, teamId, agentId or labelId at a time."];
        }

        var group = filters.Count == 0 ? ReportGroup.Tenant : new ReportGroup(filters[0].Dimension, filters[0].Id!.Value);
        if (format is not (null or "json" or "csv"))
        {
            errors["format"] = ["json or csv."];
        }

        interval ??= "day";
        if (series)
        {
            if (string.IsNullOrEmpty(metric) || !ReportSeries.Metrics.ContainsKey(metric))
            {
                errors["metric"] = [$"One of: {string.Join(", ", ReportSeries.Metrics.Keys)}."];
            }

            if (interval is not ("hour" or "day" or "week"))
            {
                errors["interval"] = ["hour, day or week."];
            }
            else if (interval == "hour" && errors.Count == 0 && (end - start).TotalHours > MaxHourlyPoints)
            {
                errors["interval"] = [$"Hourly series cover at most {MaxHourlyPoints / 24} days; ask for interval=day."];
            }
        }

        return errors.Count > 0
            ? Failure.Invalid(errors)
            : new ReportQuery(new ReportRange(start, end), group, metric, interval, format == "csv");
    }

    private static DateTimeOffset? ParseTime(string? value, bool endOfDay, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var midnight = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? midnight.AddDays(1) : midnight;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && at.Year is >= 2000 and <= 9000)
        {
            return at.ToUniversalTime();
        }

        errors[field] = ["An ISO 8601 date (2026-12-01) or date and time (2026-12-01T08:00:00Z)."];
        return null;
    }

    private static DateTimeOffset Ceiling(DateTimeOffset at)
    {
        var hour = DurationBuckets.HourOf(at);
        return hour == at ? hour : hour.AddHours(1);
    }
}
