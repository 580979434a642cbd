namespace Switchboard.Features.Privacy;

/// <summary>The <c>Switchboard:Privacy</c> settings.</summary>
internal sealed class PrivacyOptions
{
    public const string Section = "Switchboard:Privacy";

    /// <summary>How long a requested tenant deletion waits, cancellable, before the keys are destroyed.</summary>
    public TimeSpan TenantDeletionDelay { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long before a data-rights request's 30-day deadline the warning is raised.</summary>
    public TimeSpan RequestWarnBefore { get; set; } = TimeSpan.FromDays(7);
}
