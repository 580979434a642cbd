using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Common.Crypto;

/// <summary>A tenant's data key (one row per version) or blind-index key, wrapped by a master key.</summary>
internal sealed class TenantKey
{
    public const string DataPurpose = "data";
    public const string IndexPurpose = "index";

    public Guid TenantId { get; set; }

    public string Purpose { get; set; } = DataPurpose;

    public int Version { get; set; }

    /// <summary>Null once the key has been crypto-erased.</summary>
    public byte[]? WrappedKey { get; set; }

    public string? MasterKeyId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DestroyedAt { get; set; }

    public string WrapContext => $"tenant-key|{TenantId:N}|{Purpose}|{Version}";
}

internal sealed class TenantKeyConfiguration : IEntityTypeConfiguration<TenantKey>
{
    public void Configure(EntityTypeBuilder<TenantKey> builder)
    {
        builder.ToTable("TenantKeys");
        builder.HasKey(k => new { k.TenantId, k.Purpose, k.Version });
        builder.Property(k => k.Purpose).HasMaxLength(8);
        builder.Property(k => k.MasterKeyId).HasMaxLength(16);
        builder.HasIndex(k => k.MasterKeyId);
        builder.Ignore(k => k.WrapContext);
    }
}
