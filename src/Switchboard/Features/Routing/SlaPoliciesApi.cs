using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Routing;

/// <summary>
/// SLA policies (ADR 0023): list, read, create, replace, delete. A change applies to clocks started after
/// it; running clocks keep their due times.
/// </summary>
internal static class SlaPoliciesApi
{
    /// <summary>A target is at most a year.</summary>
    public const int MaxMinutes = 525_600;

    public sealed record PolicyRequest(
        string? Name, Guid? TeamId, string? Label, int? FirstResponseMinutes, int? NextResponseMinutes, int? ResolutionMinutes,
        int? WarnBeforeMinutes, bool? BusinessHours, Guid? CalendarId, int? Rank);

    public sealed record PolicyResponse(
        Guid Id, string Name, Guid? TeamId, string? Label, int? FirstResponseMinutes, int? NextResponseMinutes, int? ResolutionMinutes,
        int WarnBeforeMinutes, bool BusinessHours, Guid? CalendarId, int Rank, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record ListResponse(IReadOnlyList<PolicyResponse> Items);

    public static async Task<Ok<ListResponse>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse([.. (await db.SlaPolicies.AsNoTracking().Where(p => p.TenantId == tenantId).OrderBy(p => p.Rank).ThenBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(ct)).Select(ToResponse)]));

    public static async Task<Results<Ok<PolicyResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid policyId, SwitchboardDbContext db, CancellationToken ct) =>
        await db.SlaPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.TenantId == tenantId && p.Id == policyId, ct) is { } p ? TypedResults.Ok(ToResponse(p)) : Problems.NotFound();

    public static async Task<Results<Created<PolicyResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, PolicyRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await SaveAsync(tenantId, null, request, db, rules, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/sla-policies/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<Ok<PolicyResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid policyId, PolicyRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await SaveAsync(tenantId, policyId, request, db, rules, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } updated } => TypedResults.Ok(updated),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, Guid policyId, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await DeletePolicyAsync(tenantId, policyId, db, rules, clock, AuditActor.From(http), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    /// <summary>Creates (no <paramref name="policyId"/>) or replaces a policy.</summary>
    public static async Task<Outcome<PolicyResponse>> SaveAsync(
        Guid tenantId, Guid? policyId, PolicyRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        SlaPolicy? policy = null;
        if (policyId is { } id && (policy = await db.SlaPolicies.FirstOrDefaultAsync(p => p.TenantId == tenantId && p.Id == id, ct)) is null)
        {
            return Failure.NotFound();
        }

        var errors = Validate(request);
        if (request.CalendarId is { } calendarId && !await db.Calendars.AnyAsync(c => c.TenantId == tenantId && c.Id == calendarId, ct))
        {
            errors["calendarId"] = ["No such calendar."];
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var isNew = policy is null;
        policy ??= new SlaPolicy { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now };
        policy.Name = request.Name!.Trim();
        policy.TeamId = request.TeamId;
        policy.Label = string.IsNullOrWhiteSpace(request.Label) ? null : request.Label.Trim();
        policy.FirstResponseMinutes = request.FirstResponseMinutes;
        policy.NextResponseMinutes = request.NextResponseMinutes;
        policy.ResolutionMinutes = request.ResolutionMinutes;
        policy.WarnBeforeMinutes = request.WarnBeforeMinutes ?? 10;
        policy.BusinessHours = request.BusinessHours ?? false;
        policy.CalendarId = request.CalendarId;
        policy.Rank = request.Rank ?? 0;
        policy.UpdatedAt = now;
        if (isNew)
        {
            db.SlaPolicies.Add(policy);
        }

        var response = ToResponse(policy);
        await AuditLog.RecordAsync(db, tenantId, actor, isNew ? AuditActions.SlaPolicyCreated : AuditActions.SlaPolicyUpdated, $"sla_policy:{policy.Id}",
            response with { CreatedAt = default, UpdatedAt = default }, now, ct);
        rules.Forget(tenantId);
        return response;
    }

    public static async Task<Failure?> DeletePolicyAsync(
        Guid tenantId, Guid policyId, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var policy = await db.SlaPolicies.FirstOrDefaultAsync(p => p.TenantId == tenantId && p.Id == policyId, ct);
        if (policy is null)
        {
            return Failure.NotFound();
        }

        db.SlaPolicies.Remove(policy);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.SlaPolicyDeleted, $"sla_policy:{policy.Id}", new { name = policy.Name }, clock.GetUtcNow(), ct);
        rules.Forget(tenantId);
        return null;
    }

    public static Dictionary<string, string[]> Validate(PolicyRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if ((request.Name?.Trim().Length ?? 0) is 0 or > 128)
        {
            errors["name"] = ["Required, at most 128 characters."];
        }

        if (request.Label?.Trim().Length > 64)
        {
            errors["label"] = ["At most 64 characters."];
        }

        foreach (var (field, value) in new[] { ("firstResponseMinutes", request.FirstResponseMinutes), ("nextResponseMinutes", request.NextResponseMinutes), ("resolutionMinutes", request.ResolutionMinutes) })
        {
            if (value is < 1 or > MaxMinutes)
            {
                errors[field] = [$"Must be from 1 to {MaxMinutes} minutes, or null for no target."];
            }
        }

        if (request is { FirstResponseMinutes: null, NextResponseMinutes: null, ResolutionMinutes: null })
        {
            errors["firstResponseMinutes"] = ["Set at least one of firstResponseMinutes, nextResponseMinutes and resolutionMinutes."];
        }

        if (request.WarnBeforeMinutes is < 0 or > 1440)
        {
            errors["warnBeforeMinutes"] = ["Must be from 0 (no warning) to 1440 minutes."];
        }

        if (request.Rank is < 0 or > 10_000)
        {
            errors["rank"] = ["Must be from 0 to 10000 (lower ranks are chosen first)."];
        }

        if (request.CalendarId is not null && request.BusinessHours != true)
        {
            errors["calendarId"] = ["A calendar is counted only with businessHours: true."];
        }

        return errors;
    }

    public static PolicyResponse ToResponse(SlaPolicy p) => new(
        p.Id, p.Name, p.TeamId, p.Label, p.FirstResponseMinutes, p.NextResponseMinutes, p.ResolutionMinutes, p.WarnBeforeMinutes, p.BusinessHours, p.CalendarId, p.Rank, p.CreatedAt, p.UpdatedAt);
}
