namespace Switchboard.Features.Privacy;

/// <summary>The <c>Switchboard:Privacy</c> settings.</summary>
internal sealed class PrivacyOptions
{
    public const string Section = "Switchboard:Privacy";

    /// <summary>How long a requested tenant deletion waits, cancellable, before the keys are destroyed.</summary>
    public TimeSpan TenantDeletionDelay { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long before a data-rights request's 30-day deadline the warning is raised.</summary>
    public TimeSpan RequestWarnBefore { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Channel credentials and the tenant key older than this are reminded to the admins, unless the tenant chose otherwise (ADR 0051).</summary>
    public int CredentialRotationDays { get; set; } = 90;

    /// <summary>The platform's bounds on a tenant's <see cref="CredentialRotationDays"/>.</summary>
    public int MinimumCredentialRotationDays { get; set; } = 7;

    public int MaximumCredentialRotationDays { get; set; } = 730;

    /// <summary>How often each tenant's credentials are checked.</summary>
    public TimeSpan RotationCheckInterval { get; set; } = TimeSpan.FromDays(1);
}
