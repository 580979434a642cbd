using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Satisfaction;

/// <summary>
/// CSAT over the answers given in <c>[from, to)</c>: average, count, distribution, and by agent, team and
/// label; a group with fewer than <see cref="MinimumGroup"/> answers is suppressed (ADR 0031).
/// </summary>
internal static class CsatReport
{
    public const int MinimumGroup = 5;
    private static readonly TimeSpan MaxRange = TimeSpan.FromDays(366);

    public sealed record Group(string Key, int Count, double Average);

    public sealed record Groups(IReadOnlyList<Group> Items, int Suppressed);

    public sealed record Report(
        DateTimeOffset From, DateTimeOffset To, int Count, double? Average, IReadOnlyDictionary<string, int> Distribution, Groups ByAgent, Groups ByTeam, Groups ByLabel);

    public static async Task<Results<Ok<Report>, ValidationProblem>> GetAsync(Guid tenantId, string? from, string? to, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var end = Parse(to, "to", errors) ?? clock.GetUtcNow();
        var start = Parse(from, "from", errors) ?? end.AddDays(-30);
        if (errors.Count == 0 && (end <= start || end - start > MaxRange))
        {
            errors["to"] = ["Must be after from, at most 366 days later."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        return TypedResults.Ok(await BuildAsync(db, tenantId, start, end, ct));
    }

    public static async Task<Report> BuildAsync(SwitchboardDbContext db, Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var answers = await db.CsatSurveys.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.AnsweredAt >= from && s.AnsweredAt < to && s.Score != null)
            .Select(s => new { s.ConversationId, s.AgentId, s.TeamId, Score = s.Score!.Value })
            .ToListAsync(ct);
        var labels = new Dictionary<Guid, IReadOnlyList<string>>();
        foreach (var chunk in answers.Select(a => a.ConversationId).Distinct().Chunk(500))
        {
            foreach (var (id, names) in await LabelsApi.NamesOfAsync(db, tenantId, chunk, ct))
            {
                labels[id] = names;
            }
        }

        var distribution = Enumerable.Range(1, 5).ToDictionary(i => i.ToString(CultureInfo.InvariantCulture), i => answers.Count(a => a.Score == i));
        return new Report(
            from,
            to,
            answers.Count,
            answers.Count == 0 ? null : Math.Round(answers.Average(a => a.Score), 2),
            distribution,
            GroupsOf(answers.Where(a => a.AgentId is not null).Select(a => (a.AgentId!.Value.ToString(), a.Score))),
            GroupsOf(answers.Where(a => a.TeamId is not null).Select(a => (a.TeamId!.Value.ToString(), a.Score))),
            GroupsOf(answers.SelectMany(a => (labels.GetValueOrDefault(a.ConversationId) ?? []).Select(l => (l, a.Score)))));
    }

    private static Groups GroupsOf(IEnumerable<(string Key, int Score)> scores)
    {
        var groups = scores.GroupBy(s => s.Key, StringComparer.Ordinal).ToList();
        var shown = groups.Where(g => g.Count() >= MinimumGroup)
            .Select(g => new Group(g.Key, g.Count(), Math.Round(g.Average(s => s.Score), 2)))
            .OrderByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        return new Groups(shown, groups.Count - shown.Count);
    }

    private static DateTimeOffset? Parse(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
        {
            return at;
        }

        errors[field] = ["An ISO 8601 date or time, for example 2026-12-01 or 2026-12-01T00:00:00Z."];
        return null;
    }
}
