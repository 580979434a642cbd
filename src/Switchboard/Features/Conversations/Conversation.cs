using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A thread between one contact and one of the tenant's numbers. <see cref="Sequence"/> counts the
/// conversations of that pair: the unique (channel, contact, sequence) index stops two nodes from
/// opening the same conversation twice.
/// </summary>
internal sealed class Conversation
{
    public const string Table = "Conversations";

    /// <summary>The teams' queues in order (schema version 10).</summary>
    public const string WaitingIndex = "IX_Conversations_Waiting";

    /// <summary>Meta's customer-service window: free-form replies are allowed this long after the customer's last message.</summary>
    public static readonly TimeSpan ServiceWindow = TimeSpan.FromHours(24);

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ChannelId { get; set; }

    public Guid ContactId { get; set; }

    public int Sequence { get; set; }

    /// <summary>Per-tenant running number people can say out loud ("conversation 1234").</summary>
    public long Number { get; set; }

    public ConversationStatus Status { get; set; } = ConversationStatus.Open;

    /// <summary>Meta's timestamp of the newest message either way.</summary>
    public DateTimeOffset? LastMessageAt { get; set; }

    /// <summary>Meta's timestamp of the customer's newest message: the 24-hour window runs from here.</summary>
    public DateTimeOffset? LastInboundAt { get; set; }

    public int UnreadCount { get; set; }

    /// <summary>The user working on it; null while unassigned.</summary>
    public Guid? AssignedUserId { get; set; }

    /// <summary>The team (queue) it belongs to; null: no team, nobody assigns it automatically.</summary>
    public Guid? TeamId { get; set; }

    /// <summary>Set while it waits unassigned in its team's queue (queue order: this, then <see cref="Number"/>).</summary>
    public DateTimeOffset? WaitingSince { get; set; }

    /// <summary>When the current assignee got it.</summary>
    public DateTimeOffset? AssignedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The customer's oldest message not answered yet (null: nothing waits for a reply).</summary>
    public DateTimeOffset? AwaitingReplySince { get; set; }

    /// <summary>The first reply since the conversation opened or reopened.</summary>
    public DateTimeOffset? FirstResponseAt { get; set; }

    /// <summary>The SLA policy whose clocks run on it (ADR 0023); null: none.</summary>
    public Guid? SlaPolicyId { get; set; }

    public DateTimeOffset? FirstResponseDueAt { get; set; }

    public DateTimeOffset? NextResponseDueAt { get; set; }

    public DateTimeOffset? ResolutionDueAt { get; set; }

    /// <summary>The targets missed, as <see cref="SlaKind"/> flags.</summary>
    public int SlaBreached { get; set; }

    /// <summary><c>low</c>, <c>normal</c>, <c>high</c> or <c>urgent</c> (<see cref="ConversationPriorities"/>); set by hand or by an automation rule.</summary>
    public string Priority { get; set; } = ConversationPriorities.Normal;

    public DateTimeOffset? WindowExpiresAt => LastInboundAt + ServiceWindow;
}

/// <summary>The priorities a conversation can have (ADR 0028).</summary>
internal static class ConversationPriorities
{
    public const string Low = "low";
    public const string Normal = "normal";
    public const string High = "high";
    public const string Urgent = "urgent";

    public static readonly IReadOnlyList<string> All = [Low, Normal, High, Urgent];
}

internal enum ConversationStatus
{
    Open,
    Pending,
    Resolved,
}

internal sealed class ConversationConfiguration : IEntityTypeConfiguration<Conversation>
{
    public void Configure(EntityTypeBuilder<Conversation> builder)
    {
        builder.ToTable(Conversation.Table);
        builder.HasKey(c => new { c.TenantId, c.Id });
        builder.Property(c => c.Status).HasConversion<LowercaseEnumConverter<ConversationStatus>>().HasMaxLength(16);
        builder.HasIndex(c => new { c.TenantId, c.ChannelId, c.ContactId, c.Sequence }).IsUnique();
        builder.HasIndex(c => new { c.TenantId, c.Number }).IsUnique();
        builder.HasIndex(c => new { c.TenantId, c.LastMessageAt });
        builder.HasIndex(c => new { c.TenantId, c.AssignedUserId, c.Status });
        builder.HasIndex(c => new { c.TenantId, c.AssignedUserId, c.LastMessageAt }); // the agents report's suppression (ADR 0054)
        builder.HasIndex(c => new { c.TenantId, c.TeamId, c.WaitingSince, c.Number }).HasDatabaseName(Conversation.WaitingIndex).HasFilter("\"WaitingSince\" IS NOT NULL");
        builder.Property(c => c.SlaBreached).HasDefaultValue(0);
        builder.Property(c => c.Priority).HasMaxLength(16).HasDefaultValue(ConversationPriorities.Normal);
        builder.Ignore(c => c.WindowExpiresAt);
    }
}
