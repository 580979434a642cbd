using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Privacy;

/// <summary>The last reminder sent for one credential (ADR 0051): a channel's access token or app secret, or the tenant key.</summary>
internal sealed class RotationReminder
{
    public const string AccessToken = "channel_access_token";
    public const string AppSecret = "channel_app_secret";
    public const string TenantKey = "tenant_key";

    public Guid TenantId { get; set; }

    public string Kind { get; set; } = "";

    /// <summary>The channel's id, or the tenant's for its key.</summary>
    public Guid ItemId { get; set; }

    /// <summary>When the credential reminded of was set; a newer one starts a new period.</summary>
    public DateTimeOffset RotatedAt { get; set; }

    public DateTimeOffset RemindedAt { get; set; }

    /// <summary>How many reminders this credential has had since it was set.</summary>
    public int Reminders { get; set; }
}

internal sealed class RotationReminderConfiguration : IEntityTypeConfiguration<RotationReminder>
{
    public void Configure(EntityTypeBuilder<RotationReminder> builder)
    {
        builder.ToTable("RotationReminders");
        builder.HasKey(r => new { r.TenantId, r.Kind, r.ItemId });
        builder.Property(r => r.Kind).HasMaxLength(32);
    }
}

/// <summary>A credential older than the tenant's policy: what the API and the privacy page show. No secret, only ids and dates.</summary>
internal sealed record OverdueCredential(
    string Kind, Guid ItemId, string? DisplayPhoneNumber, int? KeyVersion, DateTimeOffset RotatedAt, DateTimeOffset DueAt, DateTimeOffset? LastRemindedAt);

/// <summary>
/// Rotation reminders (issue 20 item 8, ADR 0051): which of a tenant's channel credentials and keys are older than its
/// <c>credentialRotationDays</c>, and the check that reminds the admins of each once per period (audited with ids only, mailed
/// to the admins when a relay is configured).
/// </summary>
internal sealed class RotationReminders(IDbContextFactory<SwitchboardDbContext> dbFactory, PrivacyNotices notices, IOptions<PrivacyOptions> options, TimeProvider clock)
{
    /// <summary>The tenant's credentials older than its policy at <paramref name="now"/>, oldest first, with their last reminder.</summary>
    public static async Task<IReadOnlyList<OverdueCredential>> OverdueAsync(SwitchboardDbContext db, Guid tenantId, int days, DateTimeOffset now, CancellationToken ct)
    {
        var cut = now - TimeSpan.FromDays(days);
        var channels = await db.Channels.AsNoTracking().Where(c => c.TenantId == tenantId && c.Status != ChannelStatus.Revoked)
            .Select(c => new { c.Id, c.DisplayPhoneNumber, c.AccessTokenRotatedAt, c.AppSecretRotatedAt }).ToListAsync(ct);
        var key = await db.Set<TenantKey>().AsNoTracking().Where(k => k.TenantId == tenantId && k.Purpose == TenantKey.DataPurpose && k.WrappedKey != null)
            .OrderByDescending(k => k.Version).Select(k => new { k.Version, k.CreatedAt }).FirstOrDefaultAsync(ct);
        var reminded = await db.Set<RotationReminder>().AsNoTracking().Where(r => r.TenantId == tenantId).ToListAsync(ct);

        var items = new List<(string Kind, Guid ItemId, string? Number, int? Version, DateTimeOffset RotatedAt)>();
        foreach (var channel in channels)
        {
            items.Add((RotationReminder.AccessToken, channel.Id, channel.DisplayPhoneNumber, null, channel.AccessTokenRotatedAt));
            items.Add((RotationReminder.AppSecret, channel.Id, channel.DisplayPhoneNumber, null, channel.AppSecretRotatedAt));
        }

        if (key is not null)
        {
            items.Add((RotationReminder.TenantKey, tenantId, null, key.Version, key.CreatedAt));
        }

        return [.. items.Where(i => i.RotatedAt <= cut).OrderBy(i => i.RotatedAt).Select(i => new OverdueCredential(
            i.Kind, i.ItemId, i.Number, i.Version, i.RotatedAt, i.RotatedAt + TimeSpan.FromDays(days),
            reminded.FirstOrDefault(r => r.Kind == i.Kind && r.ItemId == i.ItemId && r.RotatedAt == i.RotatedAt)?.RemindedAt))];
    }

    /// <summary>
    /// Reminds of every overdue credential not reminded of in this period (the credential's first, or <c>days</c> since the last
    /// reminder): one audit entry each and one mail per admin listing them, in one transaction. Returns how many were reminded.
    /// </summary>
    public async Task<int> CheckAsync(Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var chosen = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.CredentialRotationDays }).FirstOrDefaultAsync(ct);
        if (chosen is null)
        {
            return 0;
        }

        var days = MinimisationApi.RotationDays(chosen.CredentialRotationDays, options.Value);
        var due = (await OverdueAsync(db, tenantId, days, now, ct)).Where(c => c.LastRemindedAt is not { } last || last + TimeSpan.FromDays(days) <= now).ToList();
        if (due.Count == 0)
        {
            return 0;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.Set<RotationReminder>().Where(r => r.TenantId == tenantId).ToDictionaryAsync(r => (r.Kind, r.ItemId), ct);
        foreach (var credential in due)
        {
            if (!rows.TryGetValue((credential.Kind, credential.ItemId), out var row))
            {
                row = new RotationReminder { TenantId = tenantId, Kind = credential.Kind, ItemId = credential.ItemId };
                db.Add(row);
            }

            row.Reminders = row.RotatedAt == credential.RotatedAt ? row.Reminders + 1 : 1;
            row.RotatedAt = credential.RotatedAt;
            row.RemindedAt = now;
            await AuditLog.RecordAsync(db, tenantId, AuditActor.System, PrivacyAudit.RotationReminded, $"{credential.Kind}:{credential.ItemId}",
                new { credential.Kind, credential.ItemId, credential.KeyVersion, credential.RotatedAt, days }, now, ct);
        }

        await notices.RotationDueAsync(db, tenantId, due, days, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        notices.Wake();
        return due.Count;
    }
}
