using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;

namespace Switchboard.Features.Routing;

/// <summary>A tenant's SLA policies (lowest rank first) and the business hours they count in.</summary>
internal sealed class TenantSlaRules(IReadOnlyList<SlaPolicy> policies, IReadOnlyDictionary<Guid, BusinessSchedule> calendars)
{
    public static TenantSlaRules None { get; } = new([], new Dictionary<Guid, BusinessSchedule>());

    public IReadOnlyList<SlaPolicy> Policies => policies;

    /// <summary>The policy for a team and labels: the lowest rank whose team and label (when it names them) match.</summary>
    public SlaPolicy? Choose(Guid? teamId, IReadOnlyCollection<string> labels) =>
        policies.FirstOrDefault(p => (p.TeamId is null || p.TeamId == teamId) && (p.Label is null || labels.Contains(p.Label, StringComparer.OrdinalIgnoreCase)));

    public SlaPolicy? Find(Guid? policyId) => policyId is null ? null : policies.FirstOrDefault(p => p.Id == policyId);

    /// <summary>When a clock of <paramref name="minutes"/> started at <paramref name="start"/> is due; null without a target or when the calendar never opens.</summary>
    public DateTimeOffset? Due(SlaPolicy policy, DateTimeOffset start, int? minutes)
    {
        if (minutes is not { } m)
        {
            return null;
        }

        if (!policy.BusinessHours)
        {
            return start.AddMinutes(m);
        }

        var schedule = policy.CalendarId is { } id && calendars.TryGetValue(id, out var found) ? found : BusinessSchedule.AroundTheClock;
        return BusinessClock.AddBusinessMinutes(start, m, schedule);
    }

    /// <summary>The business hours a policy counts in; null when it counts around the clock or no longer exists. Reports measure in these too (ADR 0030).</summary>
    public BusinessSchedule? BusinessHoursOf(Guid? policyId) => Find(policyId) is { BusinessHours: true } policy
        ? policy.CalendarId is { } id && calendars.TryGetValue(id, out var found) ? found : BusinessSchedule.AroundTheClock
        : null;

    public static BusinessSchedule ScheduleOf(Calendar calendar, IEnumerable<CalendarHours> hours, IEnumerable<Holiday> holidays) =>
        new(CalendarZones.Find(calendar.TimeZone) ?? TimeZoneInfo.Utc, hours.Select(h => ((DayOfWeek)h.Day, h.StartMinute, h.EndMinute)), holidays.Select(h => h.Date));
}

/// <summary>
/// Each tenant's <see cref="TenantSlaRules"/>, read at most every 30 s per node (ADR 0023); a change of policies or
/// calendars on any node drops the tenant's entry on every node at once (ADR 0056), the lifetime is the backstop.
/// </summary>
internal sealed class SlaRulesCache
{
    /// <summary>The <see cref="CacheInvalidation"/> topic of a tenant's SLA policies and calendars.</summary>
    public const string Topic = "sla-rules";

    private readonly TenantCache<TenantSlaRules> cache;

    public SlaRulesCache(TimeProvider clock, CacheInvalidation invalidation) =>
        cache = new TenantCache<TenantSlaRules>(invalidation, Topic, TimeSpan.FromSeconds(30), clock);

    public Task<TenantSlaRules> GetAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) => cache.GetAsync(tenantId, token => ReadAsync(db, tenantId, token), ct);

    /// <summary>After a change of the tenant's policies or calendars (called after the save): every node reads them again.</summary>
    public void Forget(Guid tenantId) => cache.Forget(tenantId);

    private static async Task<TenantSlaRules> ReadAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var policies = await db.SlaPolicies.AsNoTracking().Where(p => p.TenantId == tenantId).OrderBy(p => p.Rank).ThenBy(p => p.CreatedAt).ThenBy(p => p.Id).ToListAsync(ct);
        if (policies.Count == 0)
        {
            return TenantSlaRules.None;
        }

        var ids = policies.Where(p => p.BusinessHours && p.CalendarId is not null).Select(p => p.CalendarId!.Value).Distinct().ToList();
        var calendars = new Dictionary<Guid, BusinessSchedule>();
        if (ids.Count > 0)
        {
            var rows = await db.Calendars.AsNoTracking().Where(c => c.TenantId == tenantId && ids.Contains(c.Id)).ToListAsync(ct);
            var hours = await db.CalendarHours.AsNoTracking().Where(h => h.TenantId == tenantId && ids.Contains(h.CalendarId)).ToListAsync(ct);
            var holidays = await db.Holidays.AsNoTracking().Where(h => h.TenantId == tenantId && ids.Contains(h.CalendarId)).ToListAsync(ct);
            foreach (var calendar in rows)
            {
                calendars[calendar.Id] = TenantSlaRules.ScheduleOf(calendar, hours.Where(h => h.CalendarId == calendar.Id), holidays.Where(h => h.CalendarId == calendar.Id));
            }
        }

        return new TenantSlaRules(policies, calendars);
    }
}

/// <summary>IANA time zones by id.</summary>
internal static class CalendarZones
{
    /// <summary>The zone, or null for an unknown id or a Windows id (calendars store IANA ids only).</summary>
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id) || !TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
        {
            return null;
        }

        return zone.HasIanaId ? zone : null;
    }
}
