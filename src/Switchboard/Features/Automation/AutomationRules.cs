using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Automation;

/// <summary>Automation rules: list, read (with the latest runs), create, replace, delete; writes are audited (ADR 0028).</summary>
internal static class AutomationRules
{
    public const string Created = "automation_rule.created";
    public const string Updated = "automation_rule.updated";
    public const string Deleted = "automation_rule.deleted";

    public sealed record RunItem(Guid Id, Guid ConversationId, string Event, DateTimeOffset At, IReadOnlyList<string> Actions);

    public sealed record RuleResponse(
        Guid Id, string Name, string Event, bool Enabled, int Position, IReadOnlyList<RuleCondition> Conditions, IReadOnlyList<RuleAction> Actions,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        /// <summary>The latest runs, newest first (a single rule's answer only).</summary>
        public IReadOnlyList<RunItem>? Runs { get; init; }
    }

    public static RuleResponse ToResponse(AutomationRule r) =>
        new(r.Id, r.Name, r.Event, r.Enabled, r.Position, RuleJson.Read<RuleCondition>(r.Conditions), RuleJson.Read<RuleAction>(r.Actions), r.CreatedAt, r.UpdatedAt);

    public static async Task<Ok<Page<RuleResponse>>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new Page<RuleResponse>(await ListOfAsync(db, tenantId, ct), null));

    public static async Task<IReadOnlyList<RuleResponse>> ListOfAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        [.. (await db.AutomationRules.AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id).ToListAsync(ct)).Select(ToResponse)];

    public static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid ruleId, SwitchboardDbContext db, CancellationToken ct)
    {
        var rule = await db.AutomationRules.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == ruleId, ct);
        if (rule is null)
        {
            return Problems.NotFound();
        }

        var runs = await db.AutomationRuns.AsNoTracking().Where(r => r.TenantId == tenantId && r.RuleId == ruleId).OrderByDescending(r => r.At).Take(20).ToListAsync(ct);
        return TypedResults.Ok(ToResponse(rule) with { Runs = [.. runs.Select(r => new RunItem(r.Id, r.ConversationId, r.Event, r.At, r.Actions.Split(',', StringSplitOptions.RemoveEmptyEntries)))] });
    }

    public static async Task<Results<Created<RuleResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, RuleRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await CreateOfAsync(db, tenantId, request, AuditActor.From(http), clock.GetUtcNow(), ct) switch
        {
            { Value: { } created } => TypedResults.Created($"/api/v1/tenants/{tenantId}/automation/rules/{created.Id}", created),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<RuleResponse>> CreateOfAsync(SwitchboardDbContext db, Guid tenantId, RuleRequest request, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        if (await RuleValidation.CheckAsync(db, tenantId, request, ct) is { } invalid)
        {
            return invalid;
        }

        if (await db.AutomationRules.CountAsync(r => r.TenantId == tenantId, ct) >= RuleValidation.MaxRulesPerTenant)
        {
            return Failure.Conflict($"A tenant has at most {RuleValidation.MaxRulesPerTenant} automation rules.");
        }

        var last = await db.AutomationRules.Where(r => r.TenantId == tenantId).MaxAsync(r => (int?)r.Position, ct);
        var rule = new AutomationRule { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now, Position = request.Position ?? ((last ?? -1) + 1) };
        Apply(rule, request, now);
        db.AutomationRules.Add(rule);
        await AuditLog.RecordAsync(db, tenantId, actor, Created, $"automation_rule:{rule.Id}", AuditDetail(rule), now, ct);
        return ToResponse(rule);
    }

    public static async Task<Results<Ok<RuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid ruleId, RuleRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await UpdateOfAsync(db, tenantId, ruleId, request, AuditActor.From(http), clock.GetUtcNow(), ct) switch
        {
            { Value: { } updated } => TypedResults.Ok(updated),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<RuleResponse>> UpdateOfAsync(SwitchboardDbContext db, Guid tenantId, Guid ruleId, RuleRequest request, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var rule = await db.AutomationRules.FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == ruleId, ct);
        if (rule is null)
        {
            return Failure.NotFound();
        }

        if (await RuleValidation.CheckAsync(db, tenantId, request, ct) is { } invalid)
        {
            return invalid;
        }

        rule.Position = request.Position ?? rule.Position;
        Apply(rule, request, now);
        await AuditLog.RecordAsync(db, tenantId, actor, Updated, $"automation_rule:{rule.Id}", AuditDetail(rule), now, ct);
        return ToResponse(rule);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid tenantId, Guid ruleId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await DeleteOfAsync(db, tenantId, ruleId, AuditActor.From(http), clock.GetUtcNow(), ct) is { } failure ? failure.ToProblem() : TypedResults.NoContent();

    public static async Task<Failure?> DeleteOfAsync(SwitchboardDbContext db, Guid tenantId, Guid ruleId, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var rule = await db.AutomationRules.FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == ruleId, ct);
        if (rule is null)
        {
            return Failure.NotFound();
        }

        db.AutomationRules.Remove(rule);
        await AuditLog.RecordAsync(db, tenantId, actor, Deleted, $"automation_rule:{rule.Id}", new { name = rule.Name, @event = rule.Event }, now, ct);
        return null;
    }

    private static void Apply(AutomationRule rule, RuleRequest request, DateTimeOffset now)
    {
        rule.Name = request.Name!.Trim();
        rule.Event = request.Event!;
        rule.Enabled = request.Enabled ?? true;
        rule.Conditions = RuleJson.Write(request.Conditions ?? []);
        rule.Actions = RuleJson.Write(request.Actions ?? []);
        rule.UpdatedAt = now;
    }

    /// <summary>What the audit keeps: the rule's shape, not the texts it matches or sends.</summary>
    private static object AuditDetail(AutomationRule rule) => new
    {
        name = rule.Name,
        @event = rule.Event,
        enabled = rule.Enabled,
        position = rule.Position,
        conditions = RuleJson.Read<RuleCondition>(rule.Conditions).Select(c => c.Type),
        actions = RuleJson.Read<RuleAction>(rule.Actions).Select(a => a.Type),
    };
}
