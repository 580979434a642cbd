using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Tenancy;

internal sealed class Tenant
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public TenantStatus Status { get; set; } = TenantStatus.Active;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>The last conversation number handed out in this tenant.</summary>
    public long ConversationCounter { get; set; }

    /// <summary>The last realtime event sequence number of this tenant.</summary>
    public long EventCounter { get; set; }

    /// <summary>Every user of this tenant must use an authenticator app (enrolment at next sign-in).</summary>
    public bool MfaRequired { get; set; }

    /// <summary>Keep only the minimum of WhatsApp's message objects and drop raw events once processed (ADR 0051).</summary>
    public bool MinimalMessages { get; set; }

    /// <summary>Messages stored whole before minimal messages was turned on wait for the retention run to trim them.</summary>
    public bool MinimalTrimPending { get; set; }

    /// <summary>Channel credentials and keys older than this many days are reminded to admins (null: the platform default; ADR 0051).</summary>
    public int? CredentialRotationDays { get; set; }

    /// <summary>When the daily rotation check runs next for this tenant (null: due now).</summary>
    public DateTimeOffset? RotationCheckAt { get; set; }

    public List<TenantKey> Keys { get; } = [];
}

internal enum TenantStatus
{
    Active,
    Erased,
}

internal sealed class TenantConfiguration : IEntityTypeConfiguration<Tenant>
{
    public void Configure(EntityTypeBuilder<Tenant> builder)
    {
        builder.ToTable("Tenants");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.ConversationCounter).HasDefaultValue(0L);
        builder.Property(t => t.EventCounter).HasDefaultValue(0L);
        builder.Property(t => t.MfaRequired).HasDefaultValue(false);
        builder.Property(t => t.MinimalMessages).HasDefaultValue(false);
        builder.Property(t => t.MinimalTrimPending).HasDefaultValue(false);
        builder.Property(t => t.Status).HasConversion<LowercaseEnumConverter<TenantStatus>>().HasMaxLength(16);
        builder.HasMany(t => t.Keys).WithOne().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
