using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Routing;

/// <summary>
/// What chatbot flows ask routing (ADR 0029): which teams and calendars a tenant has, whether a calendar
/// is open now, and whether an agent is online to take a conversation. Reads only.
/// </summary>
internal static class RoutingLookups
{
    public static async Task<HashSet<Guid>> TeamIdsAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        [.. await db.Teams.AsNoTracking().Where(t => t.TenantId == tenantId).Select(t => t.Id).ToListAsync(ct)];

    public static async Task<HashSet<Guid>> CalendarIdsAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        [.. await db.Calendars.AsNoTracking().Where(c => c.TenantId == tenantId).Select(c => c.Id).ToListAsync(ct)];

    /// <summary>Whether the calendar's hours include <paramref name="at"/>; a calendar that no longer exists counts as open.</summary>
    public static async Task<bool> IsOpenAsync(SwitchboardDbContext db, Guid tenantId, Guid calendarId, DateTimeOffset at, CancellationToken ct)
    {
        var calendar = await db.Calendars.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == calendarId, ct);
        if (calendar is null)
        {
            return true;
        }

        var hours = await db.CalendarHours.AsNoTracking().Where(h => h.TenantId == tenantId && h.CalendarId == calendarId).ToListAsync(ct);
        var holidays = await db.Holidays.AsNoTracking().Where(h => h.TenantId == tenantId && h.CalendarId == calendarId).ToListAsync(ct);
        return BusinessClock.IsOpen(at, TenantSlaRules.ScheduleOf(calendar, hours, holidays));
    }

    /// <summary>Whether an agent is online, in the team when one is named, else in the tenant.</summary>
    public static Task<bool> AnyAgentOnlineAsync(SwitchboardDbContext db, Guid tenantId, Guid? teamId, CancellationToken ct) =>
        teamId is { } team
            ? db.AgentStates.AsNoTracking().AnyAsync(
                a => a.TenantId == tenantId && a.Status == AgentState.Online
                    && db.Set<TeamMember>().Any(m => m.TenantId == tenantId && m.TeamId == team && m.UserId == a.UserId), ct)
            : db.AgentStates.AsNoTracking().AnyAsync(a => a.TenantId == tenantId && a.Status == AgentState.Online, ct);

    /// <summary>The team a number's new conversations enter, if it has one.</summary>
    public static Task<Guid?> DefaultTeamAsync(SwitchboardDbContext db, Guid tenantId, Guid channelId, CancellationToken ct) =>
        db.ChannelTeams.AsNoTracking().Where(t => t.TenantId == tenantId && t.ChannelId == channelId).Select(t => (Guid?)t.TeamId).FirstOrDefaultAsync(ct);
}
