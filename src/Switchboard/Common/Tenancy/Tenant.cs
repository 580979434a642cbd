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

    /// <summary>Keep only the minimum of WhatsApp's message objects and drop raw events once processed (ADR 0047).</summary>
    public bool MinimalMessages { get; set; }

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
        builder.Property(t => t.Status).HasConversion<LowercaseEnumConverter<TenantStatus>>().HasMaxLength(16);
        builder.HasMany(t => t.Keys).WithOne().HasForeignKey(k => k.TenantId).OnDelete(DeleteBehavior.Cascade);
    }
}
