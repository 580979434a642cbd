using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Routing.CalendarsApi;

namespace Switchboard.Features.Routing;

/// <summary>Business-hours calendars: list, read, create, replace, delete (a calendar a policy counts in cannot be deleted).</summary>
internal static class CalendarEndpoints
{
    public static async Task<Ok<ListResponse>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new ListResponse(await ReadManyAsync(db, tenantId, null, ct)));

    public static async Task<Results<Ok<CalendarResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid calendarId, SwitchboardDbContext db, CancellationToken ct) =>
        await ReadAsync(db, tenantId, calendarId, ct) is { } found ? TypedResults.Ok(found) : Problems.NotFound();

    public static async Task<Results<Created<CalendarResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, CalendarRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await CreateCalendarAsync(tenantId, request, db, rules, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/calendars/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<Ok<CalendarResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid calendarId, CalendarRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await UpdateCalendarAsync(tenantId, calendarId, request, db, rules, clock, AuditActor.From(http), ct) switch
        {
            { Value: { } updated } => TypedResults.Ok(updated),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, Guid calendarId, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await DeleteCalendarAsync(tenantId, calendarId, db, rules, clock, AuditActor.From(http), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    public static async Task<Outcome<CalendarResponse>> CreateCalendarAsync(
        Guid tenantId, CalendarRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        if (Parse(request) is { Failure: { } invalid })
        {
            return invalid;
        }

        var parsed = Parse(request).Value!;
        var now = clock.GetUtcNow();
        var calendar = new Calendar { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now };
        db.Calendars.Add(calendar);
        await ApplyAsync(db, calendar, parsed, isNew: true, ct);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.CalendarCreated, $"calendar:{calendar.Id}", AuditDetail(parsed), now, ct);
        rules.Forget(tenantId);
        return (await ReadAsync(db, tenantId, calendar.Id, ct))!;
    }

    public static async Task<Outcome<CalendarResponse>> UpdateCalendarAsync(
        Guid tenantId, Guid calendarId, CalendarRequest request, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var calendar = await db.Calendars.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == calendarId, ct);
        if (calendar is null)
        {
            return Failure.NotFound();
        }

        var outcome = Parse(request);
        if (outcome.Failure is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await ApplyAsync(db, calendar, outcome.Value!, isNew: false, ct);
        calendar.UpdatedAt = now;
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.CalendarUpdated, $"calendar:{calendar.Id}", AuditDetail(outcome.Value!), now, ct);
        await transaction.CommitAsync(ct);
        rules.Forget(tenantId);
        return (await ReadAsync(db, tenantId, calendar.Id, ct))!;
    }

    public static async Task<Failure?> DeleteCalendarAsync(
        Guid tenantId, Guid calendarId, SwitchboardDbContext db, SlaRulesCache rules, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        var calendar = await db.Calendars.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == calendarId, ct);
        if (calendar is null)
        {
            return Failure.NotFound();
        }

        if (await db.SlaPolicies.AnyAsync(p => p.TenantId == tenantId && p.CalendarId == calendarId, ct))
        {
            return Failure.Conflict("The calendar is in use.", "An SLA policy counts in this calendar: change or delete the policy first.");
        }

        var now = clock.GetUtcNow();
        db.Calendars.Remove(calendar);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.CalendarDeleted, $"calendar:{calendar.Id}", new { name = calendar.Name }, now, ct);
        rules.Forget(tenantId);
        return null;
    }
}
