using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Conversations.LabelsApi;

namespace Switchboard.Features.Conversations;

/// <summary>The tenant's label definitions: list, create, rename or recolour, delete (ADR 0024).</summary>
internal static class LabelDefinitions
{
    public static async Task<Ok<Page<LabelResponse>>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new Page<LabelResponse>(await ListOfAsync(db, tenantId, ct), null));

    public static async Task<IReadOnlyList<LabelResponse>> ListOfAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        [.. (await db.Labels.AsNoTracking().Where(l => l.TenantId == tenantId).OrderBy(l => l.Name).Take(MaxLabels).ToListAsync(ct)).Select(ToResponse)];

    public static async Task<Results<Created<LabelResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, LabelRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await CreateOfAsync(db, tenantId, request, AuditActor.From(http), clock.GetUtcNow(), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/labels/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<LabelResponse>> CreateOfAsync(SwitchboardDbContext db, Guid tenantId, LabelRequest request, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var label = new Label { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now };
        if (Validate(request, label).Failure is { } invalid)
        {
            return invalid;
        }

        if (await db.Labels.CountAsync(l => l.TenantId == tenantId, ct) >= MaxLabels)
        {
            return Failure.Conflict($"A tenant has at most {MaxLabels} labels.");
        }

        if (await NameTakenAsync(db, tenantId, label.Name, label.Id, ct))
        {
            return Taken();
        }

        db.Labels.Add(label);
        return await SaveAsync(db, tenantId, actor, AuditActions.LabelCreated, label, now, ct);
    }

    public static async Task<Results<Ok<LabelResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid labelId, LabelRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await UpdateOfAsync(db, tenantId, labelId, request, AuditActor.From(http), clock.GetUtcNow(), ct) switch
        {
            { Value: { } updated } => TypedResults.Ok(updated),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<LabelResponse>> UpdateOfAsync(SwitchboardDbContext db, Guid tenantId, Guid labelId, LabelRequest request, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var label = await db.Labels.FirstOrDefaultAsync(l => l.TenantId == tenantId && l.Id == labelId, ct);
        if (label is null)
        {
            return Failure.NotFound();
        }

        var checkedLabel = new Label();
        if (Validate(request, checkedLabel).Failure is { } invalid)
        {
            return invalid;
        }

        if (await NameTakenAsync(db, tenantId, checkedLabel.Name, label.Id, ct))
        {
            return Taken();
        }

        label.Name = checkedLabel.Name;
        label.Color = checkedLabel.Color;
        return await SaveAsync(db, tenantId, actor, AuditActions.LabelUpdated, label, now, ct);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, Guid labelId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await DeleteOfAsync(db, tenantId, labelId, AuditActor.From(http), clock.GetUtcNow(), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    public static async Task<Failure?> DeleteOfAsync(SwitchboardDbContext db, Guid tenantId, Guid labelId, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var label = await db.Labels.FirstOrDefaultAsync(l => l.TenantId == tenantId && l.Id == labelId, ct);
        if (label is null)
        {
            return Failure.NotFound();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await ConversationLedger.DeleteLabelAsync(db, label, now, ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.LabelDeleted, $"label:{label.Id}", new { name = label.Name }, now, ct);
        await transaction.CommitAsync(ct);
        return null;
    }

    private static async Task<Outcome<LabelResponse>> SaveAsync(SwitchboardDbContext db, Guid tenantId, AuditActor actor, string action, Label label, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await AuditLog.RecordAsync(db, tenantId, actor, action, $"label:{label.Id}", new { name = label.Name, color = label.Color }, now, ct);
        }
        catch (DbUpdateException)
        {
            // Another request took the name between the check and the insert (the unique index).
            return Taken();
        }

        return ToResponse(label);
    }
}
