using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using static Switchboard.Features.Identity.UsersApi;

namespace Switchboard.Features.Identity;

/// <summary>
/// A tenant admin deletes a member's account (issue 20, ADR 0039): their membership, personal tokens, team places and
/// availability go, their open conversations return to the queue, and when no other tenant holds them the account itself
/// (password, authenticator, recovery codes) is deleted. Their audit entries keep the user id, which nothing maps to a person
/// any more, and lose their name and address (the hash covers keyed digests of them, so the chain still verifies).
/// </summary>
internal static class DeleteUser
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid userId, SwitchboardDbContext db, SessionValidator sessions, DeletionLedger ledger, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await DeleteAsync(tenantId, userId, db, sessions, ledger, clock, http.User, AuditActor.From(http), ct);
        return outcome.Failure is { } failure ? failure.ToProblem() : TypedResults.NoContent();
    }

    public sealed record Result(int ReleasedConversations, bool AccountDeleted);

    public static async Task<Outcome<Result>> DeleteAsync(
        Guid tenantId, Guid userId, SwitchboardDbContext db, SessionValidator sessions, IDeletionRecorder ledger, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        var (membership, user) = await FindAsync(db, tenantId, userId, ct);
        if (membership is null || user is null)
        {
            return Failure.NotFound();
        }

        if (caller.UserIdOf() == userId)
        {
            return Failure.Conflict("You cannot delete your own account here: ask another admin.");
        }

        if (Grants.Missing(caller, Permissions.Of(membership.Role)) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot delete someone whose role is above your own.", missing);
        }

        if (membership.Role == TenantRole.Admin && membership.Status == MembershipStatus.Active && await IsLastAdminAsync(db, tenantId, userId, ct))
        {
            return Failure.Conflict("A tenant needs at least one active admin: this one cannot be deleted.");
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var (released, elsewhere) = await RemoveAsync(db, tenantId, userId, now, ct);

        // Recorded in the deletion ledger, so that a restored backup loses the account again (ADR 0038).
        await ledger.RecordAsync(db, new DeletionRecord(DeletionKinds.UserDeleted, tenantId, [userId], []), ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.UserDeleted, $"user:{userId}",
            new { releasedConversations = released, accountDeleted = !elsewhere }, now, ct);
        await transaction.CommitAsync(ct);
        sessions.Forget(userId, tenantId);
        return new Result(released, !elsewhere);
    }

    /// <summary>Whether the database still holds the person in this tenant, or their account while no other tenant does (re-applying the ledger).</summary>
    public static async Task<bool> HoldsAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, CancellationToken ct) =>
        await db.Memberships.AnyAsync(m => m.TenantId == tenantId && m.UserId == userId, ct)
        || (!await db.Memberships.AnyAsync(m => m.UserId == userId && m.TenantId != tenantId, ct) && await db.Users.AnyAsync(u => u.Id == userId, ct));

    /// <summary>
    /// The removal itself, in the caller's transaction, for the API and for re-applying the ledger after a restore:
    /// the conversations released to the queue, and whether another tenant still holds the person (then the account stays).
    /// </summary>
    public static async Task<(int Released, bool Elsewhere)> RemoveAsync(SwitchboardDbContext db, Guid tenantId, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        var elsewhere = await db.Memberships.AnyAsync(m => m.UserId == userId && m.TenantId != tenantId, ct);
        var released = await ConversationLedger.ReleaseAssignmentsAsync(db, tenantId, userId, now, ct);
        await db.TeamMembers.Where(m => m.TenantId == tenantId && m.UserId == userId).ExecuteDeleteAsync(ct);
        await db.AgentStates.Where(a => a.TenantId == tenantId && a.UserId == userId).ExecuteDeleteAsync(ct);
        await db.ApiTokens.IgnoreQueryFilters().Where(t => t.TenantId == tenantId && t.UserId == userId).ExecuteDeleteAsync(ct);
        await db.Memberships.Where(m => m.TenantId == tenantId && m.UserId == userId).ExecuteDeleteAsync(ct);
        if (!elsewhere)
        {
            // Claims, logins and authenticator tokens (the MFA secret, recovery codes) go with the row (cascade).
            await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(ct);
        }

        await AuditLog.PseudonymiseAsync(db, elsewhere ? tenantId : null, $"user:{userId}", ct);
        return (released, elsewhere);
    }
}
