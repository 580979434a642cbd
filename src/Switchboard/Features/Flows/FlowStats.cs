using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Flows;

/// <summary>How many conversations reached a node of a flow version, dropped out there, or were handed to people there (ADR 0041).</summary>
internal sealed class FlowNodeStat
{
    public const string Table = "FlowNodeStats";

    public Guid TenantId { get; set; }

    public Guid FlowId { get; set; }

    public int Version { get; set; }

    public string NodeId { get; set; } = "";

    public long Reached { get; set; }

    public long Dropped { get; set; }

    public long HandedOff { get; set; }
}

internal sealed class FlowNodeStatConfiguration : IEntityTypeConfiguration<FlowNodeStat>
{
    public void Configure(EntityTypeBuilder<FlowNodeStat> builder)
    {
        builder.ToTable(FlowNodeStat.Table);
        builder.HasKey(s => new { s.TenantId, s.FlowId, s.Version, s.NodeId });
        builder.Property(s => s.NodeId).HasMaxLength(64);
        builder.HasOne<FlowVersion>().WithMany().HasForeignKey(s => new { s.TenantId, s.FlowId, s.Version }).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Counting as sessions move (ADR 0041): a row per node is made when a version is published, so counting is
/// only ever <c>UPDATE … SET n = n + 1</c>, in the same transaction as the session's new state.
/// </summary>
internal static class FlowStats
{
    /// <summary>End reasons that gave the customer to people; <c>completed</c> reached an end; any other end is a drop.</summary>
    public static readonly IReadOnlySet<string> HandOffReasons = new HashSet<string>(StringComparer.Ordinal) { "routed", "handoff", "keyword", "invalid_answers", "loop" };

    public static string OutcomeOf(string? endReason) =>
        endReason == "completed" ? "completed" : endReason is not null && HandOffReasons.Contains(endReason) ? "handed_off" : "dropped";

    public static IReadOnlyList<string> VisitedOf(string? visited) => visited is null ? [] : visited.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Adds this run's path to the session's visited nodes; returns the nodes it reached for the first time.</summary>
    public static IReadOnlyList<string> Visit(FlowSession s, IEnumerable<string> path)
    {
        var seen = VisitedOf(s.Visited).ToList();
        var added = path.Distinct(StringComparer.Ordinal).Where(id => !seen.Contains(id, StringComparer.Ordinal)).ToList();
        if (added.Count > 0)
        {
            s.Visited = string.Join(' ', seen.Concat(added));
        }

        return added;
    }

    /// <summary>One zeroed row per node of a newly published version.</summary>
    public static void AddRows(SwitchboardDbContext db, Guid tenantId, Guid flowId, int version, FlowDocument document)
    {
        foreach (var id in (document.Nodes ?? []).Select(n => n.Id).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            db.FlowNodeStats.Add(new FlowNodeStat { TenantId = tenantId, FlowId = flowId, Version = version, NodeId = id });
        }
    }

    /// <summary>Counts nodes first reached, and (when the session ended) its outcome at the node it ended on.</summary>
    public static async Task CountAsync(
        SwitchboardDbContext db, Guid tenantId, Guid flowId, int version, IReadOnlyList<string> reached, string? endedAt, string? endReason, CancellationToken ct)
    {
        if (reached.Count > 0)
        {
            await db.FlowNodeStats.Where(r => r.TenantId == tenantId && r.FlowId == flowId && r.Version == version && reached.Contains(r.NodeId))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Reached, r => r.Reached + 1), ct);
        }

        if (endedAt is null || endReason is null)
        {
            return;
        }

        var at = db.FlowNodeStats.Where(r => r.TenantId == tenantId && r.FlowId == flowId && r.Version == version && r.NodeId == endedAt);
        switch (OutcomeOf(endReason))
        {
            case "handed_off":
                await at.ExecuteUpdateAsync(u => u.SetProperty(r => r.HandedOff, r => r.HandedOff + 1), ct);
                break;
            case "dropped":
                await at.ExecuteUpdateAsync(u => u.SetProperty(r => r.Dropped, r => r.Dropped + 1), ct);
                break;
        }
    }

    public sealed record NodeStats(string NodeId, long Reached, long Dropped, long HandedOff);

    public sealed record StatsResponse(Guid FlowId, int Version, IReadOnlyList<NodeStats> Items);

    /// <summary>The counts of one version of a flow (default: the published one, else the latest); null when there is none.</summary>
    public static async Task<StatsResponse?> ReadAsync(SwitchboardDbContext db, Guid tenantId, Guid flowId, int? version, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == flowId, ct);
        if (flow is null || (version ?? flow.PublishedVersion ?? (flow.LatestVersion > 0 ? flow.LatestVersion : null)) is not { } v
            || !await db.FlowVersions.AnyAsync(x => x.TenantId == tenantId && x.FlowId == flowId && x.Version == v, ct))
        {
            return null;
        }

        var rows = await db.FlowNodeStats.AsNoTracking().Where(r => r.TenantId == tenantId && r.FlowId == flowId && r.Version == v)
            .OrderBy(r => r.NodeId).Select(r => new NodeStats(r.NodeId, r.Reached, r.Dropped, r.HandedOff)).ToListAsync(ct);
        return new StatsResponse(flowId, v, rows);
    }
}
