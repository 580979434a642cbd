using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Tenants;

/// <summary>
/// Starts a new version of the tenant data key. New seals use it at once; values sealed under older
/// versions keep opening because those versions stay (wrapped) in the key table.
/// </summary>
internal static class RotateTenantKey
{
    public sealed record Response(int DataKeyVersion);

    public static async Task<Results<Ok<Response>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, SwitchboardDbContext db, KeyRing keyRing, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await RotateAsync(tenantId, db, keyRing, clock, AuditActor.From(http), ct);
        return outcome is { Value: { } rotated } ? TypedResults.Ok(rotated) : outcome.Failure!.ToProblem();
    }

    public static async Task<Outcome<Response>> RotateAsync(Guid tenantId, SwitchboardDbContext db, KeyRing keyRing, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        if (!await db.Tenants.AnyAsync(t => t.Id == tenantId && t.Status == TenantStatus.Active, ct))
        {
            return Failure.NotFound();
        }

        int version;
        try
        {
            // The new version and its entry commit together (ADR 0039).
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            version = await keyRing.AddDataKeyVersionAsync(db, tenantId, ct);
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.TenantKeyRotated, $"tenant:{tenantId}",
                new { dataKeyVersion = version }, clock.GetUtcNow(), ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Failure.Conflict("Another rotation of this tenant's key is in progress.");
        }

        keyRing.VersionChanged(tenantId);
        return new Response(version);
    }
}
