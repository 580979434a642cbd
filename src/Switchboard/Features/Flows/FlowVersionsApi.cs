using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Flows;

/// <summary>A flow's published versions, rolling back to one (published again as a new version), and its node counts (ADR 0041).</summary>
internal static class FlowVersionsApi
{
    public sealed record VersionResponse(int Version, string Name, int Nodes, DateTimeOffset PublishedAt, bool Current);

    public sealed record VersionListResponse(IReadOnlyList<VersionResponse> Items, string? NextCursor);

    public sealed record VersionDocumentResponse(int Version, DateTimeOffset PublishedAt, FlowDocument Document);

    public static async Task<Results<Ok<VersionListResponse>, ProblemHttpResult>> ListAsync(Guid tenantId, Guid flowId, SwitchboardDbContext db, CancellationToken ct) =>
        await VersionsAsync(db, tenantId, flowId, ct) is { } versions ? TypedResults.Ok(new VersionListResponse(versions, null)) : Problems.NotFound();

    public static async Task<Results<Ok<VersionDocumentResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid flowId, int version, SwitchboardDbContext db, CancellationToken ct)
    {
        var row = await db.FlowVersions.AsNoTracking().FirstOrDefaultAsync(v => v.TenantId == tenantId && v.FlowId == flowId && v.Version == version, ct);
        return row is null ? Problems.NotFound() : TypedResults.Ok(new VersionDocumentResponse(row.Version, row.PublishedAt, FlowDocument.Parse(row.Document)));
    }

    public static async Task<Results<Ok<FlowsApi.FlowResponse>, ValidationProblem, ProblemHttpResult>> RestoreAsync(
        Guid tenantId, Guid flowId, int version, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await RestoreVersionAsync(tenantId, flowId, version, db, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } restored } => TypedResults.Ok(restored),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<Ok<FlowStats.StatsResponse>, ProblemHttpResult>> StatsAsync(
        Guid tenantId, Guid flowId, int? version, SwitchboardDbContext db, CancellationToken ct) =>
        await FlowStats.ReadAsync(db, tenantId, flowId, version, ct) is { } stats ? TypedResults.Ok(stats) : Problems.NotFound();

    /// <summary>Newest first; null when the flow is not the tenant's.</summary>
    public static async Task<IReadOnlyList<VersionResponse>?> VersionsAsync(SwitchboardDbContext db, Guid tenantId, Guid flowId, CancellationToken ct)
    {
        var flow = await db.Flows.AsNoTracking().FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == flowId, ct);
        if (flow is null)
        {
            return null;
        }

        var rows = await db.FlowVersions.AsNoTracking().Where(v => v.TenantId == tenantId && v.FlowId == flowId).OrderByDescending(v => v.Version).Take(500).ToListAsync(ct);
        return [.. rows.Select(v => (v, FlowDocument.Parse(v.Document))).Select(x => new VersionResponse(x.v.Version, x.Item2.Name ?? "", x.Item2.Nodes?.Count ?? 0, x.v.PublishedAt, x.v.Version == flow.PublishedVersion))];
    }

    /// <summary>
    /// Rolls back: the old version's document becomes the draft and is published as the next version, checked
    /// again against the tenant's current teams and labels. History is never rewritten.
    /// </summary>
    public static async Task<Outcome<FlowsApi.FlowResponse>> RestoreVersionAsync(
        Guid tenantId, Guid flowId, int version, SwitchboardDbContext db, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var flow = await db.Flows.FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == flowId, ct);
        var old = flow is null ? null : await db.FlowVersions.AsNoTracking().FirstOrDefaultAsync(v => v.TenantId == tenantId && v.FlowId == flowId && v.Version == version, ct);
        if (flow is null || old is null)
        {
            return Failure.NotFound();
        }

        var document = FlowDocument.Parse(old.Document);
        var errors = FlowValidation.Validate(document, await FlowsApi.ReferencesAsync(db, tenantId, ct));
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        flow.Draft = old.Document;
        flow.Name = document.Name ?? flow.Name;
        flow.LatestVersion++;
        flow.PublishedVersion = flow.LatestVersion;
        flow.UpdatedAt = now;
        db.FlowVersions.Add(new FlowVersion { TenantId = tenantId, FlowId = flow.Id, Version = flow.LatestVersion, Document = old.Document, PublishedAt = now });
        FlowStats.AddRows(db, tenantId, flow.Id, flow.LatestVersion, document);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.FlowRestored, $"flow:{flow.Id}", new { name = flow.Name, from = version, version = flow.LatestVersion }, now, ct);
        return FlowsApi.ToResponse(flow);
    }
}
