using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Tenancy;

namespace Switchboard.Common.Persistence;

/// <summary>
/// A deletion-ledger entry this database holds the effect of, written in the erase's own transaction (ADR 0038):
/// after a restore, entries without such a row are the ones the restored data predates. Kept for a tenant that
/// no longer exists (or does not exist yet in a restored database): no foreign key.
/// </summary>
[NoTenantForeignKey]
internal sealed class AppliedDeletion
{
    public Guid TenantId { get; set; }

    public long Sequence { get; set; }

    /// <summary>The entry's MAC, so a ledger replaced by another with the same numbers is noticed.</summary>
    public string Mac { get; set; } = "";

    public DateTimeOffset AppliedAt { get; set; }
}

internal sealed class AppliedDeletionConfiguration : IEntityTypeConfiguration<AppliedDeletion>
{
    public void Configure(EntityTypeBuilder<AppliedDeletion> builder)
    {
        builder.ToTable("AppliedDeletions");
        builder.HasKey(a => new { a.TenantId, a.Sequence });
        builder.HasIndex(a => a.Sequence).IsUnique();
        builder.Property(a => a.Mac).HasMaxLength(64);
    }
}
