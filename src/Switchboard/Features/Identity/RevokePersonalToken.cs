using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Identity;

/// <summary>Revokes one of the calling user's own personal tokens; anyone else's is answered like a missing one (404).</summary>
internal static class RevokePersonalToken
{
    public static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid tokenId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await RevokeAsync(tenantId, tokenId, http.User.UserIdOf(), db, clock, AuditActor.From(http), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    /// <summary>Null when done, otherwise why not; <paramref name="userId"/> is the caller's (none: nothing is theirs).</summary>
    public static Task<Failure?> RevokeAsync(Guid tenantId, Guid tokenId, Guid? userId, SwitchboardDbContext db, TimeProvider clock, AuditActor actor, CancellationToken ct) =>
        userId is { } owner
            ? TokensApi.RevokeAsync(db, tenantId, tokenId, owner, actor, clock.GetUtcNow(), ct)
            : Task.FromResult<Failure?>(Failure.NotFound());
}
