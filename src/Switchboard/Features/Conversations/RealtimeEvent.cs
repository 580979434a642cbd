using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Something that changed in a tenant (a message arrived, a status moved, a conversation changed), in a
/// per-tenant gap-free sequence that only grows by committed events (numbered after their writer's commit on
/// PostgreSQL, ADR 0053), so a client resuming after event N misses nothing. Ids only —
/// clients fetch content through the API, so no message text sits in this log.
/// </summary>
internal sealed class RealtimeEvent
{
    public Guid TenantId { get; set; }

    public long Sequence { get; set; }

    public string Type { get; set; } = "";

    public Guid? ConversationId { get; set; }

    public Guid? MessageId { get; set; }

    /// <summary>Small non-personal details (a status name, a conversation status).</summary>
    public string? Detail { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class RealtimeEventConfiguration : IEntityTypeConfiguration<RealtimeEvent>
{
    public void Configure(EntityTypeBuilder<RealtimeEvent> builder)
    {
        builder.ToTable("RealtimeEvents");
        builder.HasKey(e => new { e.TenantId, e.Sequence });
        builder.Property(e => e.Sequence).ValueGeneratedNever();
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.Detail).HasMaxLength(200);
        builder.HasIndex(e => e.CreatedAt);
    }
}
