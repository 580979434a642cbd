using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Something Meta said about a number or account rather than a message: value-level errors (e.g. 130429),
/// account updates (restriction, violation, ban), template status changes. Business data, no customer content.
/// </summary>
internal sealed class ChannelEvent
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid? ChannelId { get; set; }

    /// <summary>The webhook field: messages (for errors), account_update, message_template_status_update, …</summary>
    public string Field { get; set; } = "";

    /// <summary>The event name (ACCOUNT_RESTRICTION, APPROVED, …) or "error".</summary>
    public string Event { get; set; } = "";

    public int? Code { get; set; }

    public string? Title { get; set; }

    /// <summary>Meta's time when given (entry.time), else when it was received.</summary>
    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The change's value as JSON (business data only).</summary>
    public string Details { get; set; } = "";

    /// <summary>SHA-256 of the change, so a redelivered webhook records the event once.</summary>
    public byte[] DedupeKey { get; set; } = [];

    public DateTimeOffset ReceivedAt { get; set; }
}

internal sealed class ChannelEventConfiguration : IEntityTypeConfiguration<ChannelEvent>
{
    public void Configure(EntityTypeBuilder<ChannelEvent> builder)
    {
        builder.ToTable("ChannelEvents");
        builder.HasKey(e => new { e.TenantId, e.Id });
        builder.Property(e => e.Field).HasMaxLength(64);
        builder.Property(e => e.Event).HasMaxLength(64);
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.Property(e => e.Details).HasMaxLength(16000);
        builder.HasIndex(e => new { e.TenantId, e.DedupeKey }).IsUnique();
    }
}
