using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A realtime event committed by its writer and not yet numbered (PostgreSQL only). Writers append here
/// without touching the tenant row; <see cref="RealtimeSequencer"/> moves committed rows into
/// <see cref="RealtimeEvent"/> with the tenant's next sequence numbers, in <see cref="Id"/> order (ADR 0053).
/// </summary>
internal sealed class QueuedRealtimeEvent
{
    public long Id { get; set; }

    public Guid TenantId { get; set; }

    public string Type { get; set; } = "";

    public Guid? ConversationId { get; set; }

    public Guid? MessageId { get; set; }

    public string? Detail { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class QueuedRealtimeEventConfiguration : IEntityTypeConfiguration<QueuedRealtimeEvent>
{
    public void Configure(EntityTypeBuilder<QueuedRealtimeEvent> builder)
    {
        builder.ToTable("RealtimeEventQueue");
        // Keyed by tenant first like every tenant table (ADR 0037); numbered in Id order across tenants.
        builder.HasKey(e => new { e.TenantId, e.Id });
        builder.Property(e => e.Id).ValueGeneratedOnAdd();
        builder.HasIndex(e => e.Id);
        builder.Property(e => e.Type).HasMaxLength(64);
        builder.Property(e => e.Detail).HasMaxLength(200);
    }
}
