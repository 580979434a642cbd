using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Identity.TokensApi;

namespace Switchboard.Features.Identity;

/// <summary>Creates a tenant integration token with the scopes named, all within the caller's own; the secret is in this answer only.</summary>
internal static class CreateToken
{
    public static async Task<Results<Created<CreatedResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, CreateRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await CreateAsync(tenantId, request, db, clock, http.User, AuditActor.From(http), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/tokens/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<CreatedResponse>> CreateAsync(
        Guid tenantId, CreateRequest request, SwitchboardDbContext db, TimeProvider clock, ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = Validate(request, now, scopesRequired: true);
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        if (Grants.Missing(caller, request.Scopes!) is { Length: > 0 } missing)
        {
            return Grants.Beyond("A token cannot have scopes its creator does not hold.", missing);
        }

        var (token, secret) = await TokensApi.CreateAsync(db, tenantId, request, ApiTokenKind.Integration, userId: null, actor, now, ct);
        return Created(token, secret);
    }
}
