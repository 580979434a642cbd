using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Privacy;

/// <summary>
/// A requested export of one contact (<see cref="ContactId"/>) or of the whole tenant (null), built in the
/// background (<see cref="ExportRunner"/>) into a ZIP sealed with the tenant key in the blob store (ADR 0026).
/// </summary>
internal sealed class Export : ISealedZip
{
    public const string Table = "Exports";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid? ContactId { get; set; }

    public ExportState State { get; set; }

    /// <summary>Percent done, 0 to 100.</summary>
    public int Progress { get; set; }

    /// <summary>Who asked (the audit actor id).</summary>
    public string RequestedBy { get; set; } = "";

    public int Attempts { get; set; }

    /// <summary>When the runner may (re)try it; pushed to the lease's end while one node builds it.</summary>
    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public long? FileSize { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public SealContext FileContext => new(TenantId, Table, Id, "File");

    public bool IsReady => State == ExportState.Ready;
}

internal enum ExportState
{
    Running,
    Ready,
    Failed,
}

internal sealed class ExportConfiguration : IEntityTypeConfiguration<Export>
{
    public void Configure(EntityTypeBuilder<Export> builder)
    {
        builder.ToTable(Export.Table);
        builder.HasKey(e => new { e.TenantId, e.Id });
        builder.Property(e => e.State).HasConversion<LowercaseEnumConverter<ExportState>>().HasMaxLength(16);
        builder.Property(e => e.RequestedBy).HasMaxLength(100);
        builder.Property(e => e.LastError).HasMaxLength(200);
        builder.HasIndex(e => new { e.State, e.NextAttemptAt });
        builder.Ignore(e => e.FileContext);
        builder.Ignore(e => e.IsReady);
    }
}
