namespace Switchboard.Features.Privacy;

/// <summary>A schedule in days per data class, as the API reads and writes it (null: the platform default).</summary>
internal sealed record RetentionDays(
    int? Messages, int? Media, int? InactiveContacts, int? RawEvents, int? Audit, int? Exports, int? Sessions, int? Minors);

/// <summary>One class's platform bounds, as the API shows them.</summary>
internal sealed record RetentionBounds(int MinimumDays, int? MaximumDays, int? DefaultDays);

/// <summary>The tenant's settings, what applies (null: kept forever), and the platform's bounds per class.</summary>
internal sealed record RetentionResponse(RetentionDays Settings, RetentionDays Effective, IReadOnlyDictionary<string, RetentionBounds> Limits, DateTimeOffset? UpdatedAt);

/// <summary>The data classes, their JSON names, the tenant's setting and the platform's bounds (ADR 0032).</summary>
internal static class RetentionSchedule
{
    public static IReadOnlyList<(string Name, RetentionLimit Limit, int? Value)> Classes(RetentionDays days, RetentionOptions o) =>
    [
        ("messages", o.Messages, days.Messages),
        ("media", o.Media, days.Media),
        ("inactiveContacts", o.InactiveContacts, days.InactiveContacts),
        ("rawEvents", o.RawEvents, days.RawEvents),
        ("audit", o.Audit, days.Audit),
        ("exports", o.Exports, days.Exports),
        ("sessions", o.Sessions, days.Sessions),
        ("minors", o.Minors, days.Minors),
    ];

    public static RetentionDays Of(RetentionPolicy? p) => p is null
        ? new(null, null, null, null, null, null, null, null)
        : new(p.MessagesDays, p.MediaDays, p.InactiveContactsDays, p.RawEventsDays, p.AuditDays, p.ExportsDays, p.SessionsDays, p.MinorsDays);

    /// <summary>The days that apply: the tenant's value, else the platform default, kept within the platform's bounds.</summary>
    public static RetentionDays Effective(RetentionDays d, RetentionOptions o) => new(
        Apply(d.Messages, o.Messages), Apply(d.Media, o.Media), Apply(d.InactiveContacts, o.InactiveContacts), Apply(d.RawEvents, o.RawEvents),
        Apply(d.Audit, o.Audit), Apply(d.Exports, o.Exports), Apply(d.Sessions, o.Sessions), Apply(d.Minors, o.Minors));

    /// <summary>Field errors for values outside the platform's bounds, and a minors' schedule longer than the messages'.</summary>
    public static Dictionary<string, string[]> Validate(RetentionDays d, RetentionOptions o)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, limit, value) in Classes(d, o))
        {
            if (value is { } days && (days < limit.MinimumDays || days > (limit.MaximumDays ?? 36_500)))
            {
                errors[name] = [$"From {limit.MinimumDays} to {limit.MaximumDays ?? 36_500} days, or null for the platform default."];
            }
        }

        var effective = Effective(d, o);
        if (!errors.ContainsKey("minors") && effective.Minors is { } minors && effective.Messages is { } messages && minors > messages)
        {
            errors["minors"] = [$"A minor's schedule must not be longer than the messages' ({messages} days)."];
        }

        return errors;
    }

    public static void Set(RetentionPolicy p, RetentionDays d)
    {
        p.MessagesDays = d.Messages;
        p.MediaDays = d.Media;
        p.InactiveContactsDays = d.InactiveContacts;
        p.RawEventsDays = d.RawEvents;
        p.AuditDays = d.Audit;
        p.ExportsDays = d.Exports;
        p.SessionsDays = d.Sessions;
        p.MinorsDays = d.Minors;
    }

    public static RetentionResponse Response(RetentionPolicy? p, RetentionOptions o)
    {
        var days = Of(p);
        var limits = Classes(days, o).ToDictionary(c => c.Name, c => new RetentionBounds(c.Limit.MinimumDays, c.Limit.MaximumDays, c.Limit.DefaultDays), StringComparer.Ordinal);
        return new RetentionResponse(days, Effective(days, o), limits, p?.UpdatedAt);
    }

    private static int? Apply(int? value, RetentionLimit limit)
    {
        var days = value ?? limit.DefaultDays;
        if (days is null)
        {
            return limit.MaximumDays;
        }

        return Math.Clamp(days.Value, limit.MinimumDays, limit.MaximumDays ?? int.MaxValue);
    }
}
