using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Outbound;

/// <summary>An Idempotency-Key already used by a tenant, and the message its first request created.</summary>
internal sealed class IdempotencyKey
{
    public Guid TenantId { get; set; }

    public string Key { get; set; } = "";

    /// <summary>SHA-256 of the route and body: the same key with a different request is a conflict.</summary>
    public byte[] RequestHash { get; set; } = [];

    public Guid MessageId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal sealed class IdempotencyKeyConfiguration : IEntityTypeConfiguration<IdempotencyKey>
{
    public void Configure(EntityTypeBuilder<IdempotencyKey> builder)
    {
        builder.ToTable("IdempotencyKeys");
        builder.HasKey(k => new { k.TenantId, k.Key });
        builder.Property(k => k.Key).HasMaxLength(200);
    }
}
