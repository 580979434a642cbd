using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Routing;

namespace Switchboard.Features.Automation;

/// <summary>
/// The greeting, away and out-of-hours texts of a tenant, and per-number replacements (ADR 0028). A null text turns
/// that reply off; out-of-hours needs a calendar. A PUT replaces the whole document and is audited.
/// </summary>
internal static class AutoReplySettingsApi
{
    public const string UpdatedAction = "automation_replies.updated";
    public const int DefaultPeriodMinutes = 1440;
    public const int MaxPeriodMinutes = 43_200;

    public sealed record ChannelReplies(Guid? ChannelId, string? Greeting, string? Away, string? OutOfHours, Guid? CalendarId, int? PeriodMinutes);

    public sealed record RepliesDocument(string? Greeting, string? Away, string? OutOfHours, Guid? CalendarId, int? PeriodMinutes, ChannelReplies[]? Channels);

    public static async Task<Ok<RepliesDocument>> GetAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) => TypedResults.Ok(await ReadAsync(db, tenantId, ct));

    public static async Task<RepliesDocument> ReadAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var rows = await db.AutoReplySettings.AsNoTracking().Where(s => s.TenantId == tenantId).OrderBy(s => s.ChannelId).ToListAsync(ct);
        var tenant = rows.FirstOrDefault(r => r.ChannelId == Guid.Empty);
        return new RepliesDocument(
            tenant?.GreetingText,
            tenant?.AwayText,
            tenant?.OutOfHoursText,
            tenant?.CalendarId,
            tenant?.PeriodMinutes ?? DefaultPeriodMinutes,
            [.. rows.Where(r => r.ChannelId != Guid.Empty).Select(r => new ChannelReplies(r.ChannelId, r.GreetingText, r.AwayText, r.OutOfHoursText, r.CalendarId, r.PeriodMinutes))]);
    }

    public static async Task<Results<Ok<RepliesDocument>, ValidationProblem, ProblemHttpResult>> PutAsync(
        Guid tenantId, RepliesDocument request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await SetAsync(db, tenantId, request, AuditActor.From(http), clock.GetUtcNow(), ct) switch
        {
            { Value: { } saved } => TypedResults.Ok(saved),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<RepliesDocument>> SetAsync(SwitchboardDbContext db, Guid tenantId, RepliesDocument request, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var wanted = new List<AutoReplySettings>();
        var tenantRow = await CheckAsync(db, tenantId, Guid.Empty, "", request.Greeting, request.Away, request.OutOfHours, request.CalendarId, request.PeriodMinutes, errors, ct);
        wanted.Add(tenantRow);
        var channels = request.Channels ?? [];
        var seen = new HashSet<Guid>();
        for (var i = 0; i < channels.Length; i++)
        {
            var c = channels[i];
            var channelId = c?.ChannelId ?? Guid.Empty;
            if (c is null || channelId == Guid.Empty || !await db.Channels.AnyAsync(x => x.TenantId == tenantId && x.Id == channelId, ct))
            {
                errors[$"channels[{i}].channelId"] = ["Not a number of this tenant."];
                continue;
            }

            if (!seen.Add(channelId))
            {
                errors[$"channels[{i}].channelId"] = ["Named twice."];
                continue;
            }

            wanted.Add(await CheckAsync(db, tenantId, channelId, $"channels[{i}].", c.Greeting, c.Away, c.OutOfHours, c.CalendarId, c.PeriodMinutes, errors, ct));
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.AutoReplySettings.Where(s => s.TenantId == tenantId).ExecuteDeleteAsync(ct);
        foreach (var row in wanted)
        {
            row.UpdatedAt = now;
        }

        db.AutoReplySettings.AddRange(wanted);
        await AuditLog.RecordAsync(
            db, tenantId, actor, UpdatedAction, "automation_replies",
            new
            {
                greeting = tenantRow.GreetingText is not null,
                away = tenantRow.AwayText is not null,
                outOfHours = tenantRow.OutOfHoursText is not null,
                calendarId = tenantRow.CalendarId,
                periodMinutes = tenantRow.PeriodMinutes,
                channels = wanted.Count - 1,
            },
            now,
            ct);
        await transaction.CommitAsync(ct);
        return await ReadAsync(db, tenantId, ct);
    }

    private static async Task<AutoReplySettings> CheckAsync(
        SwitchboardDbContext db, Guid tenantId, Guid channelId, string at, string? greeting, string? away, string? outOfHours, Guid? calendarId, int? period,
        Dictionary<string, string[]> errors, CancellationToken ct)
    {
        foreach (var (field, text) in new[] { ("greeting", greeting), ("away", away), ("outOfHours", outOfHours) })
        {
            if (text is not null && (string.IsNullOrWhiteSpace(text) || text.Length > 4096))
            {
                errors[at + field] = ["Not blank, at most 4096 characters (null turns this reply off)."];
            }
        }

        if (calendarId is { } id && !await db.Calendars.AnyAsync(c => c.TenantId == tenantId && c.Id == id, ct))
        {
            errors[at + "calendarId"] = ["Not a calendar of this tenant."];
        }
        else if (outOfHours is not null && calendarId is null)
        {
            errors[at + "calendarId"] = ["The out-of-hours reply needs the calendar of the business hours."];
        }

        if (period is < 1 or > MaxPeriodMinutes)
        {
            errors[at + "periodMinutes"] = [$"From 1 to {MaxPeriodMinutes} minutes."];
        }

        return new AutoReplySettings
        {
            TenantId = tenantId,
            ChannelId = channelId,
            GreetingText = greeting,
            AwayText = away,
            OutOfHoursText = outOfHours,
            CalendarId = calendarId,
            PeriodMinutes = period ?? DefaultPeriodMinutes,
        };
    }
}
