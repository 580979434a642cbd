using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;

namespace Switchboard.Features.Identity;

/// <summary>
/// An invitation to join a tenant with a role. The link carries a Data Protection–signed, time-limited
/// payload (invite id and a random secret); only the SHA-256 of the secret is stored, and it is single use.
/// </summary>
internal sealed class Invite
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Email { get; set; } = "";

    public string NormalizedEmail { get; set; } = "";

    public TenantRole Role { get; set; }

    public byte[] SecretHash { get; set; } = [];

    public string InvitedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedBy { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

internal sealed class InviteConfiguration : IEntityTypeConfiguration<Invite>
{
    public void Configure(EntityTypeBuilder<Invite> builder)
    {
        builder.ToTable("Invites");
        builder.HasKey(i => new { i.TenantId, i.Id });
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.NormalizedEmail).HasMaxLength(256);
        builder.Property(i => i.Role).HasConversion<LowercaseEnumConverter<TenantRole>>().HasMaxLength(16);
        builder.Property(i => i.InvitedBy).HasMaxLength(100);
    }
}
