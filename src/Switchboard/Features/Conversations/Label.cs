using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Conversations;

/// <summary>A tenant-defined tag for conversations ("vip", "billing"): a name unique in the tenant and a colour (ADR 0024).</summary>
internal sealed class Label
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary><c>#rrggbb</c>, lower case.</summary>
    public string Color { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A label on a conversation; written only by <see cref="ConversationLedger.SetLabelsAsync"/>.</summary>
internal sealed class ConversationLabel
{
    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    public Guid LabelId { get; set; }
}

internal sealed class LabelConfiguration : IEntityTypeConfiguration<Label>
{
    public void Configure(EntityTypeBuilder<Label> builder)
    {
        builder.ToTable("Labels");
        builder.HasKey(l => new { l.TenantId, l.Id });
        builder.Property(l => l.Name).HasMaxLength(50);
        builder.Property(l => l.Color).HasMaxLength(7);
        builder.HasIndex(l => new { l.TenantId, l.Name }).IsUnique();
    }
}

internal sealed class ConversationLabelConfiguration : IEntityTypeConfiguration<ConversationLabel>
{
    public void Configure(EntityTypeBuilder<ConversationLabel> builder)
    {
        builder.ToTable("ConversationLabels");
        builder.HasKey(l => new { l.TenantId, l.ConversationId, l.LabelId });
        builder.HasIndex(l => new { l.TenantId, l.LabelId });
        builder.HasOne<Conversation>().WithMany().HasForeignKey(l => new { l.TenantId, l.ConversationId }).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Label>().WithMany().HasForeignKey(l => new { l.TenantId, l.LabelId }).OnDelete(DeleteBehavior.Cascade);
    }
}
