using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Media;

/// <summary>One sealed file of the <c>database</c> media store (ADR 0056): the bytes as sealed, never clear.</summary>
internal sealed class MediaBlob
{
    public const string Table = "MediaBlobs";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public byte[] Data { get; set; } = [];
}

internal sealed class MediaBlobConfiguration : IEntityTypeConfiguration<MediaBlob>
{
    public void Configure(EntityTypeBuilder<MediaBlob> builder)
    {
        builder.ToTable(MediaBlob.Table);
        builder.HasKey(b => new { b.TenantId, b.Id });
    }
}
