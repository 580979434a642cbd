using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.UsersApi;

namespace Switchboard.Features.Identity;

/// <summary>Invites someone to the tenant with a role within the caller's own power; the answer carries the link to pass on.</summary>
internal static class InviteUser
{
    public static async Task<Results<Created<InviteResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, InviteRequest request, SwitchboardDbContext db, Invitations invitations, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await InviteAsync(tenantId, request, db, invitations, clock, http.User, AuditActor.From(http), code => invitations.LinkFor(code, http.Request), ct) switch
        {
            { Value: { } invite } => TypedResults.Created($"/api/v1/tenants/{tenantId}/invites/{invite.Id}", invite),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>The invite itself, for the API and for the dashboard; <c>linkFor</c> makes the link for a code (it depends on the address the caller reached).</summary>
    public static async Task<Outcome<InviteResponse>> InviteAsync(
        Guid tenantId, InviteRequest request, SwitchboardDbContext db, Invitations invitations, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor,
        Func<string, string> linkFor, CancellationToken ct)
    {
        if (!Permissions.TryParseRole(request.Role, out var role))
        {
            return Failure.Invalid("role", "Must be one of: admin, manager, agent.");
        }

        if (Grants.Missing(caller, Permissions.Of(role)) is { Length: > 0 } missing)
        {
            return Grants.Beyond("You cannot invite someone with a role above your own.", missing);
        }

        var email = request.Email!.Trim();
        var normalized = email.ToUpperInvariant();
        var alreadyMember = await (
            from m in db.Memberships
            join u in db.Users on m.UserId equals u.Id
            where m.TenantId == tenantId && u.NormalizedEmail == normalized && m.Status == MembershipStatus.Active
            select m).AnyAsync(ct);
        if (alreadyMember)
        {
            return Failure.Conflict("This person is already an active member of the tenant.");
        }

        var (invite, code) = invitations.Create(tenantId, email, role, actor.Id);
        db.Invites.Add(invite);
        var link = linkFor(code);
        var emailed = await invitations.MailAsync(db, invite, link, ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.UserInvited, $"invite:{invite.Id}",
            new { email = invite.Email, role = Permissions.RoleName(role), expiresAt = invite.ExpiresAt, emailed }, clock.GetUtcNow(), ct);
        if (emailed)
        {
            invitations.MailSent();
        }

        // The link also goes to the admin: to pass on when no relay is configured, or when the mail does not arrive.
        return ToResponse(invite, link) with { Emailed = emailed };
    }
}
