using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Privacy;

internal sealed record RetentionRunResponse(
    Guid Id, DateTimeOffset StartedAt, DateTimeOffset CompletedAt, int Messages, int Media, int Contacts, int RawEvents, int AuditEntries, int Exports, int Sessions);

/// <summary>A tenant's retention schedule (within the platform's bounds) and the runs that enforced it (ADR 0032).</summary>
internal static class RetentionApi
{
    public static async Task<Ok<RetentionResponse>> GetAsync(Guid tenantId, SwitchboardDbContext db, IOptions<RetentionOptions> options, CancellationToken ct) =>
        TypedResults.Ok(RetentionSchedule.Response(await db.RetentionPolicies.AsNoTracking().FirstOrDefaultAsync(p => p.TenantId == tenantId, ct), options.Value));

    /// <summary>Replaces the schedule (null: the platform default); a value out of bounds is a field error and nothing changes. Audited.</summary>
    public static async Task<Results<Ok<RetentionResponse>, ValidationProblem>> UpdateAsync(
        Guid tenantId, RetentionDays request, SwitchboardDbContext db, IOptions<RetentionOptions> options, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await ApplyAsync(tenantId, request, db, options.Value, AuditActor.From(http), clock, ct);
        return outcome.Value is { } response ? TypedResults.Ok(response) : outcome.Failure!.ToValidationProblem();
    }

    public static async Task<Outcome<RetentionResponse>> ApplyAsync(
        Guid tenantId, RetentionDays request, SwitchboardDbContext db, RetentionOptions options, AuditActor actor, TimeProvider clock, CancellationToken ct)
    {
        if (RetentionSchedule.Validate(request, options) is { Count: > 0 } errors)
        {
            return Failure.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var policy = await db.RetentionPolicies.FirstOrDefaultAsync(p => p.TenantId == tenantId, ct);
        if (policy is null)
        {
            policy = new RetentionPolicy { TenantId = tenantId, NextRunAt = now + options.Interval };
            db.RetentionPolicies.Add(policy);
        }

        var before = RetentionSchedule.Of(policy);
        RetentionSchedule.Set(policy, request);
        policy.UpdatedAt = now;
        await AuditLog.RecordAsync(db, tenantId, actor, PrivacyAudit.RetentionChanged, "retention", new { from = before, to = request }, now, ct);
        return RetentionSchedule.Response(policy, options);
    }

    public static async Task<Ok<Page<RetentionRunResponse>>> RunsAsync(Guid tenantId, int? limit, string? cursor, SwitchboardDbContext db, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var query = db.RetentionRuns.AsNoTracking().Where(r => r.TenantId == tenantId);
        if (Paging.DecodeGuid(cursor) is { } before)
        {
            query = query.Where(r => r.Id.CompareTo(before) < 0);
        }

        var runs = await query.OrderByDescending(r => r.Id).Take(take + 1).ToListAsync(ct);
        var page = Paging.PageOf(runs, take, r => r.Id);
        return TypedResults.Ok(new Page<RetentionRunResponse>(
            [.. page.Items.Select(r => new RetentionRunResponse(r.Id, r.StartedAt, r.CompletedAt, r.Messages, r.Media, r.Contacts, r.RawEvents, r.AuditEntries, r.Exports, r.Sessions))],
            page.NextCursor));
    }
}
