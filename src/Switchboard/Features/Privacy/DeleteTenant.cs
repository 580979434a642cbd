using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Privacy;

internal sealed record TenantDeletionRequest(string? Password, string? AuthenticatorCode);

internal sealed record TenantDeletionResponse(string Status, Guid RequestedBy, DateTimeOffset RequestedAt, DateTimeOffset DueAt, DateTimeOffset? CancelledAt);

/// <summary>
/// The tenant's own admin deletes it: a user (not a key) re-authenticates with password and authenticator
/// code; the deletion waits <see cref="PrivacyOptions.TenantDeletionDelay"/>, cancellable by any admin, then
/// the runner destroys the tenant's keys (ADR 0026). Each step is audited.
/// </summary>
internal static class DeleteTenant
{
    public static async Task<Results<Accepted<TenantDeletionResponse>, ValidationProblem, ProblemHttpResult>> ScheduleAsync(
        Guid tenantId, TenantDeletionRequest request, SwitchboardDbContext db, Reauthentication reauthentication, IOptions<PrivacyOptions> options,
        TenantDeletionSignal signal, PrivacyNotices notices, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (http.User.UserIdOf() is not { } userId)
        {
            return TypedResults.Problem(title: "Deleting a tenant needs a person: sign in, or use a personal token, and confirm with your password and authenticator code.", statusCode: StatusCodes.Status403Forbidden, type: Problems.ForbiddenType);
        }

        var existing = await db.TenantDeletions.FirstOrDefaultAsync(d => d.TenantId == tenantId, ct);
        if (existing is { State: TenantDeletionState.Scheduled })
        {
            return Problems.Conflict("The tenant's deletion is already scheduled.", $"It happens at {existing.DueAt:O} unless cancelled.");
        }

        if (await reauthentication.ConfirmAsync(userId, tenantId, request.Password, request.AuthenticatorCode) is { } failed)
        {
            return Problems.Validation(failed.Field, failed.Error);
        }

        var now = clock.GetUtcNow();
        var deletion = existing ?? db.TenantDeletions.Add(new TenantDeletion { TenantId = tenantId }).Entity;
        deletion.State = TenantDeletionState.Scheduled;
        deletion.RequestedBy = userId;
        deletion.RequestedAt = now;
        deletion.DueAt = now + options.Value.TenantDeletionDelay;
        deletion.Attempts = 0;
        deletion.CancelledAt = null;
        var mailed = await notices.TenantDeletionAsync(db, tenantId, scheduled: true, deletion.DueAt, ct);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.TenantDeletionScheduled, $"tenant:{tenantId}", new { deletion.DueAt, noticesMailed = mailed }, now, ct);
        signal.Signal.Notify();
        if (mailed > 0)
        {
            notices.Wake();
        }

        return TypedResults.Accepted($"/api/v1/tenants/{tenantId}/deletion", ToResponse(deletion));
    }

    public static async Task<Results<Ok<TenantDeletionResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        await db.TenantDeletions.AsNoTracking().FirstOrDefaultAsync(d => d.TenantId == tenantId, ct) is { } deletion
            ? TypedResults.Ok(ToResponse(deletion))
            : Problems.NotFound();

    public static async Task<Results<NoContent, ProblemHttpResult>> CancelAsync(
        Guid tenantId, SwitchboardDbContext db, PrivacyNotices notices, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var deletion = await db.TenantDeletions.FirstOrDefaultAsync(d => d.TenantId == tenantId && d.State == TenantDeletionState.Scheduled, ct);
        if (deletion is null)
        {
            return Problems.NotFound();
        }

        var now = clock.GetUtcNow();
        deletion.State = TenantDeletionState.Cancelled;
        deletion.CancelledAt = now;
        var mailed = await notices.TenantDeletionAsync(db, tenantId, scheduled: false, deletion.DueAt, ct);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.TenantDeletionCancelled, $"tenant:{tenantId}", new { noticesMailed = mailed }, now, ct);
        if (mailed > 0)
        {
            notices.Wake();
        }

        return TypedResults.NoContent();
    }

    private static TenantDeletionResponse ToResponse(TenantDeletion d) =>
        new(d.State.ToString().ToLowerInvariant(), d.RequestedBy, d.RequestedAt, d.DueAt, d.CancelledAt);
}
