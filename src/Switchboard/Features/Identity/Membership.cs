using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;

namespace Switchboard.Features.Identity;

/// <summary>A user's place in one tenant: a role, and whether the tenant's admins have disabled it.</summary>
internal sealed class Membership
{
    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public TenantRole Role { get; set; }

    public MembershipStatus Status { get; set; } = MembershipStatus.Active;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal enum MembershipStatus
{
    Active,
    Disabled,
}

internal sealed class MembershipConfiguration : IEntityTypeConfiguration<Membership>
{
    public void Configure(EntityTypeBuilder<Membership> builder)
    {
        builder.ToTable("Memberships");
        builder.HasKey(m => new { m.TenantId, m.UserId });
        builder.HasIndex(m => m.UserId);
        builder.Property(m => m.Role).HasConversion<LowercaseEnumConverter<TenantRole>>().HasMaxLength(16);
        builder.Property(m => m.Status).HasConversion<LowercaseEnumConverter<MembershipStatus>>().HasMaxLength(16);
        builder.HasOne<SwitchboardUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
