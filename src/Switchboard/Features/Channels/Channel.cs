using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Channels;

/// <summary>
/// A WhatsApp business number of a tenant and the Meta app credentials used for it.
/// The credentials are sealed with the tenant key, bound to this row and column.
/// </summary>
internal sealed class Channel
{
    public const string Table = "Channels";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    /// <summary>Meta's id of the number; unique across the platform because webhooks are routed by it.</summary>
    public string PhoneNumberId { get; set; } = "";

    public string WabaId { get; set; } = "";

    public string DisplayPhoneNumber { get; set; } = "";

    public string AppId { get; set; } = "";

    /// <summary>The business name Meta shows for the number, as Meta answered when the access token was checked.</summary>
    public string? VerifiedName { get; set; }

    /// <summary>Meta's quality rating of the number (GREEN, YELLOW, RED, …) at the last check.</summary>
    public string? QualityRating { get; set; }

    public byte[] AppSecret { get; set; } = [];

    public byte[] AccessToken { get; set; } = [];

    public byte[] VerifyToken { get; set; } = [];

    public DateTimeOffset AppSecretRotatedAt { get; set; }

    public DateTimeOffset AccessTokenRotatedAt { get; set; }

    public DateTimeOffset VerifyTokenRotatedAt { get; set; }

    public ChannelStatus Status { get; set; } = ChannelStatus.Active;

    /// <summary>Meta's throughput for this number: 80 messages/s by default, up to 1,000 after an upgrade.</summary>
    public int MessagesPerSecond { get; set; } = DefaultMessagesPerSecond;

    public const int DefaultMessagesPerSecond = 80;

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsRevoked => Status == ChannelStatus.Revoked;
}

internal enum ChannelStatus
{
    Active,

    /// <summary>Meta refused the access token (error 190): sending is paused until it is rotated.</summary>
    NeedsReauthorization,

    /// <summary>Meta restricted or disabled the account.</summary>
    Restricted,

    /// <summary>Switched off by the tenant: no sending, webhooks refused.</summary>
    Revoked,
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.ToTable(Channel.Table);
        builder.HasKey(c => new { c.TenantId, c.Id });
        builder.Property(c => c.PhoneNumberId).HasMaxLength(32);
        builder.Property(c => c.WabaId).HasMaxLength(32);
        builder.Property(c => c.DisplayPhoneNumber).HasMaxLength(32);
        builder.Property(c => c.AppId).HasMaxLength(32);
        builder.Property(c => c.VerifiedName).HasMaxLength(256);
        builder.Property(c => c.QualityRating).HasMaxLength(32);
        builder.Property(c => c.Status).HasConversion<LowercaseEnumConverter<ChannelStatus>>().HasMaxLength(32);
        builder.Property(c => c.MessagesPerSecond).HasDefaultValue(Channel.DefaultMessagesPerSecond);
        builder.HasIndex(c => c.PhoneNumberId).IsUnique();
        builder.Ignore(c => c.IsRevoked);
    }
}
