using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>The reports' endpoints (CONTRACT: reports); <c>format=csv</c> answers the same figures as CSV.</summary>
internal static class ReportsApi
{
    public static async Task<Results<Ok<ReportSummary>, ContentHttpResult, ValidationProblem>> SummaryAsync(
        Guid tenantId, string? from, string? to, Guid? channelId, Guid? teamId, Guid? agentId, Guid? labelId, string? format, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = ReportQuery.Parse(from, to, channelId, teamId, agentId, labelId, format, clock.GetUtcNow());
        if (parsed.Value is not { } query)
        {
            return parsed.Failure!.ToValidationProblem();
        }

        var summary = await Reports.SummaryAsync(db, tenantId, query, ct);
        return query.Csv ? TypedResults.Text(ReportCsv.Summary(summary), "text/csv", Encoding.UTF8) : TypedResults.Ok(summary);
    }

    public static async Task<Results<Ok<ReportSeriesResult>, ContentHttpResult, ValidationProblem>> TimeseriesAsync(
        Guid tenantId, string? metric, string? interval, string? from, string? to, Guid? channelId, Guid? teamId, Guid? agentId, Guid? labelId, string? format,
        SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = ReportQuery.Parse(from, to, channelId, teamId, agentId, labelId, format, clock.GetUtcNow(), metric, interval, series: true);
        if (parsed.Value is not { } query)
        {
            return parsed.Failure!.ToValidationProblem();
        }

        var series = await Reports.SeriesAsync(db, tenantId, query, ct);
        return query.Csv ? TypedResults.Text(ReportCsv.Series(series), "text/csv", Encoding.UTF8) : TypedResults.Ok(series);
    }

    public static async Task<Results<Ok<AgentsReport>, ContentHttpResult, ValidationProblem>> AgentsAsync(
        Guid tenantId, string? from, string? to, string? format, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = ReportQuery.Parse(from, to, null, null, null, null, format, clock.GetUtcNow());
        if (parsed.Value is not { } query)
        {
            return parsed.Failure!.ToValidationProblem();
        }

        var agents = await Reports.AgentsAsync(db, tenantId, query, clock.GetUtcNow(), ct);
        return query.Csv ? TypedResults.Text(ReportCsv.Agents(agents), "text/csv", Encoding.UTF8) : TypedResults.Ok(new AgentsReport(query.Range.From, query.Range.To, agents, null));
    }

    /// <summary>Conversations by sentiment trend and negative customer messages per day (ADR 0046).</summary>
    public static async Task<Results<Ok<SentimentReportResult>, ValidationProblem>> SentimentAsync(
        Guid tenantId, string? from, string? to, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = ReportQuery.Parse(from, to, null, null, null, null, null, clock.GetUtcNow());
        return parsed.Value is { } query ? TypedResults.Ok(await SentimentReport.ReadAsync(db, tenantId, query.Range, ct)) : parsed.Failure!.ToValidationProblem();
    }

    public static async Task<Results<Ok<PlatformTotals>, ValidationProblem>> PlatformAsync(string? from, string? to, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var parsed = ReportQuery.Parse(from, to, null, null, null, null, null, clock.GetUtcNow());
        return parsed.Value is { } query ? TypedResults.Ok(await Reports.PlatformAsync(db, query.Range, ct)) : parsed.Failure!.ToValidationProblem();
    }

    /// <summary>The agents report: <c>items</c> as every list answer has them (no further pages).</summary>
    internal sealed record AgentsReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<AgentRow> Items, string? NextCursor);
}

/// <summary>Reports as CSV (RFC 4180; invariant numbers, ISO 8601 UTC times, empty for suppressed or unmeasured figures).</summary>
internal static class ReportCsv
{
    public static string Summary(ReportSummary s)
    {
        var csv = new StringBuilder("metric,value\r\n");
        void Row(string name, object? value) => csv.Append(name).Append(',').Append(Cell(value)).Append("\r\n");
        Row("from", s.From);
        Row("to", s.To);
        Row("suppressed", s.Suppressed);
        Row("conversationsOpened", s.ConversationsOpened);
        Row("conversationsResolved", s.ConversationsResolved);
        Row("conversationsReopened", s.ConversationsReopened);
        Row("messagesIn", s.MessagesIn);
        Row("messagesOut", s.MessagesOut);
        Row("firstResponseSeconds.median", s.FirstResponseSeconds?.Median);
        Row("firstResponseSeconds.p90", s.FirstResponseSeconds?.P90);
        Row("responseSeconds.median", s.ResponseSeconds?.Median);
        Row("responseSeconds.p90", s.ResponseSeconds?.P90);
        Row("resolutionSeconds.median", s.ResolutionSeconds?.Median);
        Row("resolutionSeconds.p90", s.ResolutionSeconds?.P90);
        Row("firstResponseBusinessSeconds.median", s.FirstResponseBusinessSeconds?.Median);
        Row("firstResponseBusinessSeconds.p90", s.FirstResponseBusinessSeconds?.P90);
        Row("responseBusinessSeconds.median", s.ResponseBusinessSeconds?.Median);
        Row("responseBusinessSeconds.p90", s.ResponseBusinessSeconds?.P90);
        Row("resolutionBusinessSeconds.median", s.ResolutionBusinessSeconds?.Median);
        Row("resolutionBusinessSeconds.p90", s.ResolutionBusinessSeconds?.P90);
        Row("queueWaiting", s.QueueWaiting);
        Row("replies.sent", s.Replies?.Sent);
        Row("replies.delivered", s.Replies?.Delivered);
        Row("replies.read", s.Replies?.Read);
        Row("replies.failed", s.Replies?.Failed);
        foreach (var (code, count) in s.FailuresByCode ?? new Dictionary<string, long>())
        {
            Row($"failuresByCode.{code}", count);
        }

        return csv.ToString();
    }

    public static string Series(ReportSeriesResult series)
    {
        var csv = new StringBuilder($"at,{series.Metric}\r\n");
        foreach (var point in series.Items)
        {
            csv.Append(Cell(point.At)).Append(',').Append(Cell(point.Value)).Append("\r\n");
        }

        return csv.ToString();
    }

    public static string Agents(IReadOnlyList<AgentRow> agents)
    {
        var csv = new StringBuilder("agentId,suppressed,assigned,handled,replies,firstResponseMedian,firstResponseP90,responseMedian,responseP90,resolutionMedian,resolutionP90,"
            + "firstResponseBusinessMedian,firstResponseBusinessP90,responseBusinessMedian,responseBusinessP90,resolutionBusinessMedian,resolutionBusinessP90,"
            + "repliesSent,repliesDelivered,repliesRead,repliesFailed,onlineSeconds\r\n");
        foreach (var a in agents)
        {
            object?[] cells = [a.AgentId, a.Suppressed, a.Assigned, a.Handled, a.Replies, a.FirstResponseSeconds?.Median, a.FirstResponseSeconds?.P90,
                a.ResponseSeconds?.Median, a.ResponseSeconds?.P90, a.ResolutionSeconds?.Median, a.ResolutionSeconds?.P90,
                a.FirstResponseBusinessSeconds?.Median, a.FirstResponseBusinessSeconds?.P90, a.ResponseBusinessSeconds?.Median, a.ResponseBusinessSeconds?.P90,
                a.ResolutionBusinessSeconds?.Median, a.ResolutionBusinessSeconds?.P90, a.ReplyStates?.Sent, a.ReplyStates?.Delivered, a.ReplyStates?.Read, a.ReplyStates?.Failed, a.OnlineSeconds];
            csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
        }

        return csv.ToString();
    }

    private static string Cell(object? value) => value switch
    {
        null => "",
        DateTimeOffset at => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
