namespace Switchboard.Features.Privacy;

/// <summary>The audited actions of retention, legal holds, contact flags and data-rights requests (ids and counts only).</summary>
internal static class PrivacyAudit
{
    public const string RetentionChanged = "privacy.retention_changed";
    public const string RetentionRun = "privacy.retention_run";
    public const string MinimisationChanged = "privacy.minimisation_changed";
    public const string RotationReminded = "privacy.rotation_reminded";
    public const string LegalHoldPlaced = "privacy.legal_hold_placed";
    public const string LegalHoldLifted = "privacy.legal_hold_lifted";
    public const string ContactFlagsChanged = "privacy.contact_flags_changed";
    public const string RequestReceived = "privacy.request_received";
    public const string RequestUpdated = "privacy.request_updated";
    public const string RequestCompleted = "privacy.request_completed";
    public const string RequestDueSoon = "privacy.request_due_soon";
    public const string DeletionReapplied = "privacy.deletion_reapplied";
}
