using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Media;

/// <summary>
/// An attachment of an inbound message: Meta's media id (valid 7 days) until it is fetched, then the
/// file sealed with the contact key in the blob store. Failed fetches are retried with backoff. A file the
/// business sent is kept the same way, stored at once with no Meta id (ADR 0033).
/// </summary>
internal sealed class MediaObject
{
    public const string Table = "MediaObjects";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid MessageId { get; set; }

    public Guid ChannelId { get; set; }

    public Guid ContactId { get; set; }

    /// <summary>image, audio, video, document or sticker.</summary>
    public string Kind { get; set; } = "";

    public string MetaMediaId { get; set; } = "";

    public string? MimeType { get; set; }

    /// <summary>The SHA-256 Meta announced (base64 or hex), checked against the downloaded bytes.</summary>
    public string? Sha256 { get; set; }

    public long? FileSize { get; set; }

    public MediaState State { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? StoredAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal enum MediaState
{
    Pending,
    Stored,
    Failed,
}

internal sealed class MediaObjectConfiguration : IEntityTypeConfiguration<MediaObject>
{
    public void Configure(EntityTypeBuilder<MediaObject> builder)
    {
        builder.ToTable(MediaObject.Table);
        builder.HasKey(m => new { m.TenantId, m.Id });
        builder.Property(m => m.Kind).HasMaxLength(16);
        builder.Property(m => m.MetaMediaId).HasMaxLength(128);
        builder.Property(m => m.MimeType).HasMaxLength(128);
        builder.Property(m => m.Sha256).HasMaxLength(128);
        builder.Property(m => m.State).HasConversion<LowercaseEnumConverter<MediaState>>().HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(200);
        builder.HasIndex(m => new { m.TenantId, m.MessageId });
        builder.HasIndex(m => new { m.State, m.NextAttemptAt });
    }
}
