using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Privacy;

/// <summary>
/// A tenant's admin asked for the tenant to be deleted: after <see cref="DueAt"/> (the waiting period, during
/// which any admin can cancel) the runner destroys its keys (<see cref="TenantDeletionRunner"/>).
/// </summary>
internal sealed class TenantDeletion
{
    public Guid TenantId { get; set; }

    public TenantDeletionState State { get; set; }

    public Guid RequestedBy { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>When the keys go; pushed to the lease's end while a node erases.</summary>
    public DateTimeOffset DueAt { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }
}

internal enum TenantDeletionState
{
    Scheduled,
    Cancelled,
    Done,
}

internal sealed class TenantDeletionConfiguration : IEntityTypeConfiguration<TenantDeletion>
{
    public void Configure(EntityTypeBuilder<TenantDeletion> builder)
    {
        builder.ToTable("TenantDeletions");
        builder.HasKey(d => d.TenantId);
        builder.Property(d => d.State).HasConversion<LowercaseEnumConverter<TenantDeletionState>>().HasMaxLength(16);
        builder.HasIndex(d => new { d.State, d.DueAt });
    }
}
