using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Features.Identity;
using Switchboard.Features.Mail;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Notices by e-mail (ADR 0039): an export is ready (to the person who asked), a tenant's deletion is scheduled or cancelled
/// (to its admins), and its deletion is complete (ADR 0047); credentials are due for rotation (ADR 0051). Each joins the caller's unit of work through the mail queue (ADR 0027); without a relay nothing is queued
/// and the dashboard shows the state as before. Ids, dates and links only, never content.
/// </summary>
internal sealed class PrivacyNotices(MailQueue mail, IOptions<SwitchboardOptions> options)
{
    public const string TenantDeletedKind = MailSeals.PlatformKindPrefix + "tenant_deleted";

    public bool Enabled => mail.Enabled;

    public async Task<bool> ExportReadyAsync(SwitchboardDbContext db, Export export, CancellationToken ct)
    {
        if (!mail.Enabled || await MemberEmails.OfActorAsync(db, export.TenantId, export.RequestedBy, ct) is not { } to)
        {
            return false;
        }

        var scope = export.ContactId is { } contact ? $"of contact {contact}" : "of the whole tenant";
        var body = $"""
            The export {export.Id} {scope} that you asked for is ready.

            Download it from the privacy page of the dashboard ({Base()}/admin/privacy) or through the API
            (GET /api/v1/tenants/{export.TenantId}/exports/{export.Id} gives a link valid for 10 minutes).
            Check it with `verify-export` and the tenant's published signing key.
            """;
        return await mail.EnqueueAsync(db, export.TenantId, "export_ready", to, "Your Switchboard export is ready", body, ct);
    }

    public async Task<int> TenantDeletionAsync(SwitchboardDbContext db, Guid tenantId, bool scheduled, DateTimeOffset dueAt, CancellationToken ct)
    {
        if (!mail.Enabled)
        {
            return 0;
        }

        var (kind, subject, body) = scheduled
            ? ("tenant_deletion_scheduled", "Your Switchboard tenant is scheduled for deletion",
                $"""
                An admin of tenant {tenantId} confirmed its deletion with password and authenticator code.
                On {dueAt:yyyy-MM-dd HH:mm} UTC every key of the tenant will be destroyed: its conversations, contacts,
                media and exports become unreadable for good. Until then any admin can cancel it on the privacy page
                ({Base()}/admin/privacy) or with DELETE /api/v1/tenants/{tenantId}/deletion.
                """)
            : ("tenant_deletion_cancelled", "The deletion of your Switchboard tenant was cancelled",
                $"""
                The deletion of tenant {tenantId} that was due on {dueAt:yyyy-MM-dd HH:mm} UTC was cancelled by an admin.
                Nothing was deleted.
                """);
        var sent = 0;
        foreach (var to in await MemberEmails.AdminsAsync(db, tenantId, ct))
        {
            sent += await mail.EnqueueAsync(db, tenantId, kind, to, subject, body, ct) ? 1 : 0;
        }

        return sent;
    }

    /// <summary>
    /// "Deletion completed", to the admins (addresses read before the erase): queued in the erase's own transaction as a platform
    /// mail, since the tenant key it would otherwise be sealed with is destroyed by that very transaction (ADR 0047).
    /// </summary>
    public async Task<int> TenantDeletedAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<string> admins, DateTimeOffset erasedAt, CancellationToken ct)
    {
        var body = $"""
            The deletion of tenant {tenantId} is complete: on {erasedAt:yyyy-MM-dd HH:mm} UTC every key of the tenant was destroyed.
            Its conversations, contacts, media and exports can no longer be read by anyone, in this database or in its backups,
            and its API keys no longer work. This is the last message about this tenant.
            """;
        var sent = 0;
        foreach (var to in admins)
        {
            sent += await mail.EnqueueAsync(db, tenantId, TenantDeletedKind, to, "Your Switchboard tenant has been deleted", body, ct) ? 1 : 0;
        }

        return sent;
    }

    /// <summary>Credentials older than the tenant's policy, to its admins (ADR 0051): kinds, ids and dates only.</summary>
    public async Task<int> RotationDueAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<OverdueCredential> due, int days, CancellationToken ct)
    {
        if (!mail.Enabled || due.Count == 0)
        {
            return 0;
        }

        var lines = string.Join("\n", due.Select(c => c.Kind == RotationReminder.TenantKey
            ? $"- the tenant's data key (version {c.KeyVersion}), created {c.RotatedAt:yyyy-MM-dd}"
            : $"- the {(c.Kind == RotationReminder.AccessToken ? "access token" : "app secret")} of channel {c.ItemId}, set {c.RotatedAt:yyyy-MM-dd}"));
        var body = $"""
            Some credentials of tenant {tenantId} are older than its rotation policy of {days} days:

            {lines}

            Rotate channel credentials on the channels page ({Base()}/admin/channels) or with
            POST /api/v1/tenants/{tenantId}/channels/CHANNEL_ID/credentials, and the tenant key with
            POST /api/v1/tenants/{tenantId}/keys/rotate. The privacy page ({Base()}/admin/privacy) lists what is due.
            """;
        var sent = 0;
        foreach (var to in await MemberEmails.AdminsAsync(db, tenantId, ct))
        {
            sent += await mail.EnqueueAsync(db, tenantId, "rotation_reminder", to, "Switchboard: credentials due for rotation", body, ct) ? 1 : 0;
        }

        return sent;
    }

    public void Wake() => mail.Wake();

    private string Base() => (options.Value.PublicBaseUrl ?? "").TrimEnd('/');
}
