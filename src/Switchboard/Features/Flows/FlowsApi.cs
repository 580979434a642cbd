using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Flows;

/// <summary>
/// Flows (ADR 0029): create and replace a draft, read, list, publish. Every save is validated; publishing
/// copies the draft into a new, unchangeable version that new conversations start on.
/// </summary>
internal static class FlowsApi
{
    public sealed record FlowResponse(
        Guid Id,
        string Name,
        FlowTrigger? Trigger,
        IReadOnlyList<Guid> ChannelIds,
        string? Start,
        IReadOnlyList<string> HandoffKeywords,
        IReadOnlyList<FlowNode> Nodes,
        string Status,
        int? PublishedVersion,
        int LatestVersion,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt);

    public sealed record ListResponse(IReadOnlyList<FlowResponse> Items, string? NextCursor);

    public static async Task<Ok<ListResponse>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var flows = await db.Flows.AsNoTracking().Where(f => f.TenantId == tenantId).OrderBy(f => f.CreatedAt).ThenBy(f => f.Id).Take(500).ToListAsync(ct);
        return TypedResults.Ok(new ListResponse([.. flows.Select(ToResponse)], null));
    }

    public static async Task<Results<Ok<FlowResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid flowId, SwitchboardDbContext db, CancellationToken ct) =>
        await db.Flows.AsNoTracking().FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == flowId, ct) is { } flow ? TypedResults.Ok(ToResponse(flow)) : Problems.NotFound();

    public static async Task<Results<Created<FlowResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, FlowDocument request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await SaveAsync(tenantId, null, request, db, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/flows/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<Ok<FlowResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid flowId, FlowDocument request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await SaveAsync(tenantId, flowId, request, db, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } updated } => TypedResults.Ok(updated),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<Ok<FlowResponse>, ValidationProblem, ProblemHttpResult>> PublishAsync(
        Guid tenantId, Guid flowId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await PublishDraftAsync(tenantId, flowId, db, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } published } => TypedResults.Ok(published),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>Creates (no <paramref name="flowId"/>) or replaces a flow's draft; the published version runs on unchanged.</summary>
    public static async Task<Outcome<FlowResponse>> SaveAsync(
        Guid tenantId, Guid? flowId, FlowDocument request, SwitchboardDbContext db, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        Flow? flow = null;
        if (flowId is { } id && (flow = await db.Flows.FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == id, ct)) is null)
        {
            return Failure.NotFound();
        }

        var errors = FlowValidation.Validate(request, await ReferencesAsync(db, tenantId, ct));
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var isNew = flow is null;
        flow ??= new Flow { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now };
        var document = request with { Name = request.Name!.Trim() };
        flow.Name = document.Name!;
        flow.Draft = document.Serialize();
        flow.UpdatedAt = now;
        if (isNew)
        {
            db.Flows.Add(flow);
        }

        await AuditLog.RecordAsync(db, tenantId, actor, isNew ? AuditActions.FlowCreated : AuditActions.FlowUpdated, $"flow:{flow.Id}",
            new { name = flow.Name, trigger = document.Trigger?.Type, nodes = document.Nodes?.Count }, now, ct);
        return ToResponse(flow);
    }

    /// <summary>Publishes the draft as the next version, checked again against the tenant's current teams, labels and attributes.</summary>
    public static async Task<Outcome<FlowResponse>> PublishDraftAsync(
        Guid tenantId, Guid flowId, SwitchboardDbContext db, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var flow = await db.Flows.FirstOrDefaultAsync(f => f.TenantId == tenantId && f.Id == flowId, ct);
        if (flow is null)
        {
            return Failure.NotFound();
        }

        var errors = FlowValidation.Validate(FlowDocument.Parse(flow.Draft), await ReferencesAsync(db, tenantId, ct));
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        flow.LatestVersion++;
        flow.PublishedVersion = flow.LatestVersion;
        flow.UpdatedAt = now;
        db.FlowVersions.Add(new FlowVersion { TenantId = tenantId, FlowId = flow.Id, Version = flow.LatestVersion, Document = flow.Draft, PublishedAt = now });
        FlowStats.AddRows(db, tenantId, flow.Id, flow.LatestVersion, FlowDocument.Parse(flow.Draft));
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.FlowPublished, $"flow:{flow.Id}", new { name = flow.Name, version = flow.LatestVersion }, now, ct);
        return ToResponse(flow);
    }

    public static async Task<FlowReferences> ReferencesAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var channels = await db.Channels.AsNoTracking().Where(c => c.TenantId == tenantId).Select(c => c.Id).ToListAsync(ct);
        var attributes = await db.ContactAttributeDefinitions.AsNoTracking().Where(d => d.TenantId == tenantId).Select(d => d.Key).ToListAsync(ct);
        var labels = await db.Labels.AsNoTracking().Where(l => l.TenantId == tenantId).Select(l => l.Name).ToListAsync(ct);
        return new FlowReferences(
            channels.ToHashSet(),
            await RoutingLookups.TeamIdsAsync(db, tenantId, ct),
            await RoutingLookups.CalendarIdsAsync(db, tenantId, ct),
            attributes.ToHashSet(StringComparer.Ordinal),
            labels.ToHashSet(StringComparer.Ordinal));
    }

    public static FlowResponse ToResponse(Flow flow)
    {
        var document = FlowDocument.Parse(flow.Draft);
        return new FlowResponse(
            flow.Id,
            flow.Name,
            document.Trigger,
            document.ChannelIds ?? [],
            document.Start,
            document.Handoff,
            document.Nodes ?? [],
            flow.PublishedVersion is null ? "draft" : "published",
            flow.PublishedVersion,
            flow.LatestVersion,
            flow.CreatedAt,
            flow.UpdatedAt);
    }
}
