using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A delivery status Meta reported for one of our messages (sent, delivered, read, played, failed),
/// one row per (number, wamid, status). Kept even when the message is not known yet, and applied to it
/// when it appears.
/// </summary>
internal sealed class StatusUpdate
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ChannelId { get; set; }

    public string Wamid { get; set; } = "";

    public DeliveryState Status { get; set; }

    /// <summary>Meta's timestamp of the status.</summary>
    public DateTimeOffset Timestamp { get; set; }

    public int? ErrorCode { get; set; }

    public string? ErrorTitle { get; set; }

    public string? ErrorDetails { get; set; }

    /// <summary>Meta's pricing category (service, marketing, utility, …), for analytics.</summary>
    public string? PricingCategory { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }
}

internal sealed class StatusUpdateConfiguration : IEntityTypeConfiguration<StatusUpdate>
{
    public void Configure(EntityTypeBuilder<StatusUpdate> builder)
    {
        builder.ToTable("StatusUpdates");
        builder.HasKey(s => new { s.TenantId, s.Id });
        builder.Property(s => s.Wamid).HasMaxLength(256);
        builder.Property(s => s.Status).HasConversion<LowercaseEnumConverter<DeliveryState>>().HasMaxLength(16);
        builder.Property(s => s.ErrorTitle).HasMaxLength(200);
        builder.Property(s => s.ErrorDetails).HasMaxLength(1000);
        builder.Property(s => s.PricingCategory).HasMaxLength(64);
        builder.HasIndex(s => new { s.TenantId, s.ChannelId, s.Wamid, s.Status }).IsUnique();
    }
}
