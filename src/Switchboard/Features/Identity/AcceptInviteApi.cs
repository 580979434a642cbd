using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Identity;

/// <summary>Accepts an invite without the dashboard (the invite page does the same through a form).</summary>
internal static class AcceptInviteApi
{
    public sealed record Request(
        [property: Required, StringLength(2000)] string? Code,
        [property: StringLength(200)] string? DisplayName,
        [property: Required, StringLength(512)] string? Password);

    public sealed record Response(Guid UserId, Guid TenantId, string Role);

    public static async Task<Results<Created<Response>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Request request, SwitchboardDbContext db, UserManager<SwitchboardUser> users, Invitations invitations, HttpContext http, CancellationToken ct)
    {
        var invite = await invitations.FindOpenAsync(db, request.Code, ct);
        if (invite is null)
        {
            return Problems.NotFound("This invite link is not valid: it may have expired, been used or been revoked.");
        }

        var result = await invitations.AcceptAsync(db, users, invite, request.DisplayName, request.Password, http.Connection.RemoteIpAddress?.ToString(), ct);
        if (result.User is null)
        {
            return Problems.Validation(result.Field!, string.Join(" ", result.Errors));
        }

        return TypedResults.Created("/", new Response(result.User.Id, invite.TenantId, Permissions.RoleName(invite.Role)));
    }
}
