using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Features.Identity;

/// <summary>
/// Accepts an invite without the dashboard (the invite page does the same through a form). An existing
/// account sends its password and, when it has MFA, <c>authenticatorCode</c> or <c>recoveryCode</c>.
/// </summary>
internal static class AcceptInviteApi
{
    public sealed record Request(
        [property: Required, StringLength(2000)] string? Code,
        [property: StringLength(200)] string? DisplayName,
        [property: Required, StringLength(512)] string? Password,
        [property: StringLength(64)] string? AuthenticatorCode,
        [property: StringLength(64)] string? RecoveryCode);

    public sealed record Response(Guid UserId, Guid TenantId, string Role);

    public static async Task<Results<Created<Response>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Request request, SwitchboardDbContext db, Invitations invitations, InviteAcceptance acceptance, HttpContext http, CancellationToken ct)
    {
        var invite = await invitations.FindOpenAsync(db, request.Code, ct);
        if (invite is null)
        {
            return Problems.NotFound("This invite link is not valid: it may have expired, been used or been revoked.");
        }

        var result = await acceptance.WithPasswordAsync(invite, request.DisplayName, request.Password, request.AuthenticatorCode, request.RecoveryCode, ct);
        switch (result.Status)
        {
            case AcceptStatus.Accepted:
                return TypedResults.Created("/", new Response(result.User!.Id, invite.TenantId, Permissions.RoleName(invite.Role)));
            case AcceptStatus.Throttled:
                var seconds = Math.Max(1, (int)Math.Ceiling(result.RetryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(title: result.Error, detail: $"Retry after {seconds.ToString(CultureInfo.InvariantCulture)} s.",
                    statusCode: StatusCodes.Status429TooManyRequests, type: Problems.RateLimitedType);
            default:
                return Problems.Validation(result.Field!, result.Error!);
        }
    }
}
