using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Transcripts;

/// <summary>
/// A requested archive of the conversations opened in <c>[From, To)</c>: built in the background
/// (<see cref="ArchiveRunner"/>) into one ZIP of JSON and HTML transcripts, sealed with the tenant key in the
/// blob store like an export (ADR 0026, 0031).
/// </summary>
internal sealed class TranscriptArchive : ISealedZip
{
    public const string Table = "TranscriptArchives";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public DateTimeOffset From { get; set; }

    public DateTimeOffset To { get; set; }

    public ArchiveState State { get; set; }

    /// <summary>Conversations written so far, of <see cref="Total"/>.</summary>
    public int Processed { get; set; }

    public int Total { get; set; }

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

    public bool IsReady => State == ArchiveState.Ready;
}

internal enum ArchiveState
{
    Running,
    Ready,
    Failed,
}

internal sealed class TranscriptArchiveConfiguration : IEntityTypeConfiguration<TranscriptArchive>
{
    public void Configure(EntityTypeBuilder<TranscriptArchive> builder)
    {
        builder.ToTable(TranscriptArchive.Table);
        builder.HasKey(a => new { a.TenantId, a.Id });
        builder.Property(a => a.State).HasConversion<LowercaseEnumConverter<ArchiveState>>().HasMaxLength(16);
        builder.Property(a => a.RequestedBy).HasMaxLength(100);
        builder.Property(a => a.LastError).HasMaxLength(200);
        builder.HasIndex(a => new { a.State, a.NextAttemptAt });
        builder.Ignore(a => a.FileContext);
        builder.Ignore(a => a.IsReady);
    }
}

/// <summary>The transcript tables on the shared context (ADR 0020).</summary>
internal static class TranscriptsTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<TranscriptArchive> TranscriptArchives => db.Set<TranscriptArchive>();
    }
}

/// <summary>Wakes the archive runner when an archive is requested.</summary>
internal sealed class ArchiveSignal
{
    public WorkSignal Signal { get; } = new();
}
