using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.TokensApi;

namespace Switchboard.Features.Identity;

/// <summary>A personal token of the calling user (scopes optional: they can only narrow the user's role).</summary>
internal static class CreatePersonalToken
{
    public static async Task<Results<Created<CreatedResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, CreateRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await CreateAsync(tenantId, request, db, clock, http.User, AuditActor.From(http), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/me/tokens/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<CreatedResponse>> CreateAsync(
        Guid tenantId, CreateRequest request, SwitchboardDbContext db, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        if (caller.UserIdOf() is not { } userId)
        {
            return NotAUser("Only a signed-in user (or that user's personal token) can create personal tokens.");
        }

        var now = clock.GetUtcNow();
        var errors = Validate(request, now, scopesRequired: false);
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        // No scopes means "my whole role": a narrowed personal token must not mint an unnarrowed one.
        var wanted = request.Scopes is { Length: > 0 } scopes ? scopes : caller.RoleOf() is { } role ? Permissions.Of(role) : Permissions.All;
        if (Grants.Missing(caller, wanted) is { Length: > 0 } missing)
        {
            return Grants.Beyond("A token cannot have scopes its creator does not hold: name the scopes, within your own.", missing);
        }

        var (token, secret) = await TokensApi.CreateAsync(db, tenantId, request, ApiTokenKind.Personal, userId, actor, now, ct);
        return Created(token, secret);
    }
}
