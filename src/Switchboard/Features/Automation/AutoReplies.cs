using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Automation;

/// <summary>
/// Greeting, away and out-of-hours replies for a customer's message (ADR 0028). At most one reply per message:
/// out of hours (the settings' calendar is closed at Meta's time of the message) first, then away (no agent of the
/// conversation's team, or of the tenant, is online), then the greeting of a new conversation. Each kind at most once
/// per conversation per period, claimed on a row keyed by conversation and kind; only inside the 24-hour window.
/// </summary>
internal static class AutoReplies
{
    public const string Greeting = "greeting";
    public const string Away = "away";
    public const string OutOfHours = "out_of_hours";

    /// <summary>The reply this message gets, if any: its kind, text and period (the number's settings, else the tenant's).</summary>
    public static async Task<(string Kind, string Text, int PeriodMinutes)?> ChooseAsync(SwitchboardDbContext db, AutomationJob job, Conversation conversation, CancellationToken ct)
    {
        var settings = await db.AutoReplySettings.AsNoTracking()
            .Where(s => s.TenantId == conversation.TenantId && (s.ChannelId == conversation.ChannelId || s.ChannelId == Guid.Empty))
            .OrderByDescending(s => s.ChannelId == conversation.ChannelId)
            .FirstOrDefaultAsync(ct);
        if (settings is null)
        {
            return null;
        }

        if (settings.OutOfHoursText is { } outOfHours && settings.CalendarId is { } calendarId
            && await BusinessHours.ScheduleAsync(db, conversation.TenantId, calendarId, ct) is { } schedule && !BusinessClock.IsOpen(job.At, schedule))
        {
            return (OutOfHours, outOfHours, settings.PeriodMinutes);
        }

        if (settings.AwayText is { } away && !await AnyoneOnlineAsync(db, conversation, ct))
        {
            return (Away, away, settings.PeriodMinutes);
        }

        return job.Trigger == AutomationTrigger.Opened && settings.GreetingText is { } greeting ? (Greeting, greeting, settings.PeriodMinutes) : null;
    }

    /// <summary>Someone who could answer: an online member of the conversation's team, or without a team an online agent of the tenant.</summary>
    private static async Task<bool> AnyoneOnlineAsync(SwitchboardDbContext db, Conversation conversation, CancellationToken ct)
    {
        var online = db.AgentStates.Where(a => a.TenantId == conversation.TenantId && a.Status == AgentState.Online);
        if (conversation.TeamId is { } teamId)
        {
            return await online.AnyAsync(a => db.Set<TeamMember>().Any(m => m.TenantId == a.TenantId && m.TeamId == teamId && m.UserId == a.UserId), ct);
        }

        return await online.AnyAsync(ct);
    }

    /// <summary>
    /// Claims the conversation's reply of this kind for this job: true when none was sent within the period (or this
    /// job claimed it before, so its retry may send). A conditional update, else an insert that a unique key guards.
    /// </summary>
    public static async Task<bool> ClaimAsync(SwitchboardDbContext db, AutomationJob job, string kind, int periodMinutes, DateTimeOffset now, CancellationToken ct)
    {
        var since = now.AddMinutes(-periodMinutes);
        var mine = await db.AutoRepliesSent
            .Where(s => s.TenantId == job.TenantId && s.ConversationId == job.ConversationId && s.Kind == kind && (s.SentAt <= since || s.JobId == job.Id))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.SentAt, now).SetProperty(r => r.JobId, job.Id), ct);
        if (mine == 1)
        {
            return true;
        }

        if (await db.AutoRepliesSent.AnyAsync(s => s.TenantId == job.TenantId && s.ConversationId == job.ConversationId && s.Kind == kind, ct))
        {
            return false;
        }

        db.AutoRepliesSent.Add(new AutoReplySent { TenantId = job.TenantId, ConversationId = job.ConversationId, Kind = kind, SentAt = now, JobId = job.Id });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return false; // another node claimed it first
        }
    }
}

/// <summary>Routing's business-hours calendars as schedules.</summary>
internal static class BusinessHours
{
    public static async Task<BusinessSchedule?> ScheduleAsync(SwitchboardDbContext db, Guid tenantId, Guid calendarId, CancellationToken ct)
    {
        var calendar = await db.Calendars.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == calendarId, ct);
        if (calendar is null)
        {
            return null;
        }

        var hours = await db.CalendarHours.AsNoTracking().Where(h => h.TenantId == tenantId && h.CalendarId == calendarId).ToListAsync(ct);
        var holidays = await db.Holidays.AsNoTracking().Where(h => h.TenantId == tenantId && h.CalendarId == calendarId).ToListAsync(ct);
        return TenantSlaRules.ScheduleOf(calendar, hours, holidays);
    }
}
