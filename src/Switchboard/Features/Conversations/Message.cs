using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// One WhatsApp message either way. The message as WhatsApp sent it (every type-specific field) and its
/// readable rendering are sealed with the contact's key; ids, type, times and delivery state stay in the
/// clear because routing, ordering and the ticks need them.
/// </summary>
internal sealed class Message
{
    public const string Table = "Messages";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public Guid ChannelId { get; set; }

    public Guid ContactId { get; set; }

    /// <summary>WhatsApp's message id; null for an outbound message until Meta accepts it.</summary>
    public string? Wamid { get; set; }

    public MessageDirection Direction { get; set; }

    /// <summary>WhatsApp's type name, kept as sent even for types nobody knows yet.</summary>
    public string Type { get; set; } = "";

    /// <summary>Meta's timestamp (inbound), or when Switchboard queued it (outbound).</summary>
    public DateTimeOffset Timestamp { get; set; }

    public DeliveryState Status { get; set; }

    public DateTimeOffset? StatusAt { get; set; }

    public int? ErrorCode { get; set; }

    public string? ErrorTitle { get; set; }

    /// <summary>The WhatsApp message object, sealed with the contact key.</summary>
    public byte[] Content { get; set; } = [];

    /// <summary>The body, caption or a readable rendering, sealed with the contact key.</summary>
    public byte[] Text { get; set; } = [];

    /// <summary>The quoted message's wamid when this is a reply.</summary>
    public string? ContextWamid { get; set; }

    public Guid? ReplyToMessageId { get; set; }

    public ForwardedMark Forwarded { get; set; }

    /// <summary>Who wrote an outbound message or note (null for the customer's messages).</summary>
    public MessageAuthor? Author { get; set; }

    /// <summary>The member who wrote it, when a person did.</summary>
    public Guid? AuthorUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public SealContext SealContext(string column) => new(TenantId, Table, Id, column);
}

internal enum MessageDirection
{
    Inbound,
    Outbound,

    /// <summary>An internal note between agents: shown in the thread, never sent to WhatsApp.</summary>
    Note,
}

/// <summary>Who wrote an outbound message (ADR 0029): a bot or automation reply is no agent's response.</summary>
internal enum MessageAuthor
{
    Agent,
    Bot,
    Automation,
    Api,
}

internal enum ForwardedMark
{
    None,
    Forwarded,
    FrequentlyForwarded,
}

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable(Message.Table);
        builder.HasKey(m => new { m.TenantId, m.Id });
        builder.Property(m => m.Wamid).HasMaxLength(256);
        builder.Property(m => m.ContextWamid).HasMaxLength(256);
        builder.Property(m => m.Direction).HasConversion<LowercaseEnumConverter<MessageDirection>>().HasMaxLength(8);
        builder.Property(m => m.Type).HasMaxLength(64);
        builder.Property(m => m.Status).HasConversion<LowercaseEnumConverter<DeliveryState>>().HasMaxLength(16);
        builder.Property(m => m.ErrorTitle).HasMaxLength(200);
        builder.Property(m => m.Forwarded).HasConversion<LowercaseEnumConverter<ForwardedMark>>().HasMaxLength(24);
        builder.Property(m => m.Author).HasConversion<LowercaseEnumConverter<MessageAuthor>>().HasMaxLength(16);

        // Meta's redeliveries carry the same wamid and the same timestamp: one row, however often it comes.
        builder.HasIndex(m => new { m.TenantId, m.ChannelId, m.Wamid, m.Timestamp }).IsUnique();
        builder.HasIndex(m => new { m.TenantId, m.ConversationId, m.Timestamp, m.Id });
    }
}
