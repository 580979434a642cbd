using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Routing;

/// <summary>A tenant's routing settings: whether agents see only their teams' conversations, sticky assignment to a returning customer's last agent, and the idle minutes before auto-away.</summary>
internal static class RoutingSettingsApi
{
    public sealed record SettingsBody(bool? AgentsSeeOwnTeamsOnly, bool? StickyToLastAgent, int? AutoAwayMinutes = null);

    public static async Task<Ok<SettingsBody>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var settings = await db.RoutingSettings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        return TypedResults.Ok(new SettingsBody(settings?.AgentsSeeOwnTeamsOnly ?? false, settings?.StickyToLastAgent ?? false, settings?.AutoAwayMinutes ?? RoutingSettings.DefaultAutoAwayMinutes));
    }

    /// <summary>Changes the settings named (the others stay), audited.</summary>
    public static async Task<Results<Ok<SettingsBody>, ValidationProblem>> UpdateAsync(
        Guid tenantId, SettingsBody request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (request.AutoAwayMinutes is < 1 or > 1440)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["autoAwayMinutes"] = ["From 1 to 1440 minutes."] });
        }

        var now = clock.GetUtcNow();
        var settings = await db.RoutingSettings.FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (settings is null)
        {
            settings = new RoutingSettings { TenantId = tenantId };
            db.RoutingSettings.Add(settings);
        }

        var before = new SettingsBody(settings.AgentsSeeOwnTeamsOnly, settings.StickyToLastAgent, settings.AutoAwayMinutes);
        settings.AgentsSeeOwnTeamsOnly = request.AgentsSeeOwnTeamsOnly ?? settings.AgentsSeeOwnTeamsOnly;
        settings.StickyToLastAgent = request.StickyToLastAgent ?? settings.StickyToLastAgent;
        settings.AutoAwayMinutes = request.AutoAwayMinutes ?? settings.AutoAwayMinutes;
        settings.UpdatedAt = now;
        var after = new SettingsBody(settings.AgentsSeeOwnTeamsOnly, settings.StickyToLastAgent, settings.AutoAwayMinutes);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), RoutingAudit.SettingsChanged, "routing", new { from = before, to = after }, now, ct);
        return TypedResults.Ok(after);
    }
}
