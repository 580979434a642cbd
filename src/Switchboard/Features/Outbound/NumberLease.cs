using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Outbound;

/// <summary>Which node sends for a business number, until when (ADR 0055).</summary>
internal sealed class NumberLease
{
    public const string Table = "NumberLeases";

    public Guid TenantId { get; set; }

    public Guid ChannelId { get; set; }

    /// <summary>The holding node's id for this run of the process (its outbox items' lease owner).</summary>
    public Guid Holder { get; set; }

    /// <summary>Host, process id and run of the holder, for operators (and the multi-node tests).</summary>
    public string Node { get; set; } = "";

    /// <summary>On PostgreSQL the database's clock, so that nodes' clocks need not agree.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

internal sealed class NumberLeaseConfiguration : IEntityTypeConfiguration<NumberLease>
{
    public void Configure(EntityTypeBuilder<NumberLease> builder)
    {
        builder.ToTable(NumberLease.Table);
        builder.HasKey(l => new { l.TenantId, l.ChannelId });
        builder.Property(l => l.Node).HasMaxLength(64);
    }
}
