using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A customer's current reaction to a message, attached to the target's wamid (one per contact and
/// target, like WhatsApp). The emoji is sealed with the contact key. Later reactions (by Meta's
/// timestamp) replace earlier ones; an empty emoji removes the reaction.
/// </summary>
internal sealed class Reaction
{
    public const string Table = "Reactions";

    public Guid TenantId { get; set; }

    public Guid ChannelId { get; set; }

    public string TargetWamid { get; set; } = "";

    public Guid ContactId { get; set; }

    /// <summary>Sealed emoji; null once removed (the row stays so that an older, late reaction cannot come back).</summary>
    public byte[]? Emoji { get; set; }

    public DateTimeOffset Timestamp { get; set; }

    public Guid MessageId { get; set; }
}

internal sealed class ReactionConfiguration : IEntityTypeConfiguration<Reaction>
{
    public void Configure(EntityTypeBuilder<Reaction> builder)
    {
        builder.ToTable(Reaction.Table);
        builder.HasKey(r => new { r.TenantId, r.ChannelId, r.TargetWamid, r.ContactId });
        builder.Property(r => r.TargetWamid).HasMaxLength(256);
    }
}
