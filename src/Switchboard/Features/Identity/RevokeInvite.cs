using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>Revokes an open invite: its link stops working. Revoking it again changes nothing.</summary>
internal static class RevokeInvite
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid inviteId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await RevokeAsync(tenantId, inviteId, db, clock, AuditActor.From(http), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    /// <summary>Null when done, otherwise why not.</summary>
    public static async Task<Failure?> RevokeAsync(Guid tenantId, Guid inviteId, SwitchboardDbContext db, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var invite = await db.Invites.FirstOrDefaultAsync(i => i.TenantId == tenantId && i.Id == inviteId, ct);
        if (invite is null)
        {
            return Failure.NotFound();
        }

        if (invite.RevokedAt is null && invite.AcceptedAt is null)
        {
            var now = clock.GetUtcNow();
            invite.RevokedAt = now;
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.InviteRevoked, $"invite:{invite.Id}", new { email = invite.Email }, now, ct);
        }

        return null;
    }
}
