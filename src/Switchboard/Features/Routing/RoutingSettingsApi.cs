using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Routing;

/// <summary>A tenant's routing settings: whether agents see only their teams' conversations, and sticky assignment to a returning customer's last agent.</summary>
internal static class RoutingSettingsApi
{
    public sealed record SettingsBody(bool? AgentsSeeOwnTeamsOnly, bool? StickyToLastAgent);

    public static async Task<Ok<SettingsBody>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var settings = await db.RoutingSettings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        return TypedResults.Ok(new SettingsBody(settings?.AgentsSeeOwnTeamsOnly ?? false, settings?.StickyToLastAgent ?? false));
    }

    /// <summary>Changes the settings named (the others stay), audited.</summary>
    public static async Task<Ok<SettingsBody>> UpdateAsync(
        Guid tenantId, SettingsBody request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var settings = await db.RoutingSettings.FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (settings is null)
        {
            settings = new RoutingSettings { TenantId = tenantId };
            db.RoutingSettings.Add(settings);
        }

        var before = new SettingsBody(settings.AgentsSeeOwnTeamsOnly, settings.StickyToLastAgent);
        settings.AgentsSeeOwnTeamsOnly = request.AgentsSeeOwnTeamsOnly ?? settings.AgentsSeeOwnTeamsOnly;
        settings.StickyToLastAgent = request.StickyToLastAgent ?? settings.StickyToLastAgent;
        settings.UpdatedAt = now;
        var after = new SettingsBody(settings.AgentsSeeOwnTeamsOnly, settings.StickyToLastAgent);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), RoutingAudit.SettingsChanged, "routing", new { from = before, to = after }, now, ct);
        return TypedResults.Ok(after);
    }
}
