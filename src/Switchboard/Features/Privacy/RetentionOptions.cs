namespace Switchboard.Features.Privacy;

/// <summary>The platform's bounds on one data class's retention, in days (README: <c>Switchboard:Privacy:Retention:…</c>).</summary>
internal sealed class RetentionLimit
{
    public int MinimumDays { get; set; } = 1;

    /// <summary>Null: a tenant may keep the class as long as it likes (or forever, when the default is null too).</summary>
    public int? MaximumDays { get; set; }

    /// <summary>What applies while the tenant has not chosen; null: kept forever.</summary>
    public int? DefaultDays { get; set; }
}

/// <summary>The <c>Switchboard:Privacy:Retention</c> settings: per-class limits and defaults, and how often the job runs (ADR 0032).</summary>
internal sealed class RetentionOptions
{
    public const string Section = "Switchboard:Privacy:Retention";

    public RetentionLimit Messages { get; set; } = new();

    public RetentionLimit Media { get; set; } = new();

    public RetentionLimit InactiveContacts { get; set; } = new() { MinimumDays = 30 };

    public RetentionLimit RawEvents { get; set; } = new() { MaximumDays = 30 };

    public RetentionLimit Audit { get; set; } = new() { MinimumDays = 365 };

    public RetentionLimit Exports { get; set; } = new() { MaximumDays = 365, DefaultDays = 30 };

    public RetentionLimit Sessions { get; set; } = new() { DefaultDays = 90 };

    public RetentionLimit Minors { get; set; } = new();

    /// <summary>How often the job runs for each tenant.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Rows deleted per transaction.</summary>
    public int BatchSize { get; set; } = 500;
}
