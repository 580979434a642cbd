using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Outbound;

/// <summary>
/// One call to make to the Graph API, committed in the same transaction as the message it delivers.
/// The exact request body is kept sealed with the contact's key, so a retry sends the same bytes.
/// </summary>
internal sealed class OutboxItem
{
    public const string Table = "OutboxItems";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    /// <summary>The message it delivers; null for a mark-as-read.</summary>
    public Guid? MessageId { get; set; }

    public Guid ChannelId { get; set; }

    public Guid ContactId { get; set; }

    public OutboxKind Kind { get; set; }

    public OutboxState State { get; set; }

    public byte[] Request { get; set; } = [];

    /// <summary>For media: the file to upload first (sealed), and its type and name.</summary>
    public byte[]? Upload { get; set; }

    public string? UploadMimeType { get; set; }

    public string? UploadFileName { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public Guid? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>
    /// When the last call to Meta started on this node's clock, as the pacer let it go: what pacing is judged by, before the
    /// way to Meta; null while nothing was called.
    /// </summary>
    public DateTimeOffset? CalledAt { get; set; }

    /// <summary>The W3C traceparent of the request that queued it, when that request was traced (ADR 0036).</summary>
    public string? TraceParent { get; set; }

    public SealContext SealContext(string column) => new(TenantId, Table, Id, column);
}

internal enum OutboxKind
{
    Message,
    MarkRead,
}

internal enum OutboxState
{
    Pending,

    /// <summary>Claimed and about to call Meta: if the node dies now, nobody knows whether Meta got it.</summary>
    Sending,
    Done,
    Failed,

    /// <summary>The outcome is unknown (timeout, dropped connection, crash mid-call): never resent automatically.</summary>
    Unknown,
}

internal sealed class OutboxItemConfiguration : IEntityTypeConfiguration<OutboxItem>
{
    public void Configure(EntityTypeBuilder<OutboxItem> builder)
    {
        builder.ToTable(OutboxItem.Table);
        builder.HasKey(o => new { o.TenantId, o.Id });
        builder.Property(o => o.Kind).HasConversion<LowercaseEnumConverter<OutboxKind>>().HasMaxLength(16);
        builder.Property(o => o.State).HasConversion<LowercaseEnumConverter<OutboxState>>().HasMaxLength(16);
        builder.Property(o => o.UploadMimeType).HasMaxLength(128);
        builder.Property(o => o.UploadFileName).HasMaxLength(256);
        builder.Property(o => o.LastError).HasMaxLength(300);
        builder.Property(o => o.TraceParent).HasMaxLength(64);
        builder.HasIndex(o => new { o.State, o.NextAttemptAt });

        // A sender round reads only these (ADR 0040): without them, a young table (no statistics yet) was scanned whole.
        builder.HasIndex(o => new { o.ChannelId, o.CreatedAt }, "IX_OutboxItems_Pending").HasFilter("\"State\" = 'pending'");
        builder.HasIndex(o => o.LeaseUntil, "IX_OutboxItems_Sending").HasFilter("\"State\" = 'sending'");
    }
}
