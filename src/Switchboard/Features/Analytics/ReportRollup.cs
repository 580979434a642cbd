using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Analytics;

/// <summary>
/// One counter of one hour (ADR 0030): how many events of <see cref="Metric"/> fell into the hour for the
/// tenant, or for one channel, team, agent or label of it, and the sum of their durations. Durations keep
/// one row per log-scale bucket (<see cref="DurationBuckets"/>); failures one per Meta error code. No
/// customer, message or text is named.
/// </summary>
internal sealed class ReportRollup : IRollupKey
{
    public const string Table = "ReportRollups";

    public Guid TenantId { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Hour { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>
/// The same counters per whole UTC day (ADR 0049): folded from the same deltas in the same statement as the
/// hours, so a day row always equals the sum of its 24 hour rows. Long ranges read days, their partial-day
/// edges hours.
/// </summary>
internal sealed class ReportDayRollup : IRollupKey
{
    public const string Table = "ReportDayRollups";

    public Guid TenantId { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Day { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>
/// The same counters per ISO week in UTC (ADR 0058: <see cref="Week"/> is a Monday 00:00), folded with the hours, days and months: a
/// year-long weekly series reads 53 week rows per counter instead of 365 day rows.
/// </summary>
internal sealed class ReportWeekRollup : IRollupKey
{
    public const string Table = "ReportWeekRollups";

    public Guid TenantId { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Week { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>
/// The same counters per calendar month in UTC (ADR 0054), folded with the hours and days: a year-long report
/// reads a dozen month rows per counter instead of 365 day rows.
/// </summary>
internal sealed class ReportMonthRollup : IRollupKey
{
    public const string Table = "ReportMonthRollups";

    public Guid TenantId { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Month { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>
/// The same counters per calendar year in UTC (ADR 0067: <see cref="Year"/> is 1 January 00:00), folded with the others: a report over
/// most of a year reads one year row per counter, less the months and days outside, instead of twelve month rows.
/// </summary>
internal sealed class ReportYearRollup : IRollupKey
{
    public const string Table = "ReportYearRollups";

    public Guid TenantId { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Year { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>
/// Hourly counters of one chunk of <c>rebuild-reports</c> (ADR 0054), written in the rebuild's transaction and added
/// to the hours, days and months before the next chunk; empty outside a rebuild, and never seen by another transaction.
/// </summary>
internal sealed class ReportRebuildCount
{
    public const string Table = "ReportRebuildCounts";

    public Guid TenantId { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Hour { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>
/// An increment of a <see cref="ReportRollup"/>, written in the same unit of work as the event it counts;
/// <see cref="RollupCompactor"/> folds these into the rollups, and reports add the ones not folded yet.
/// </summary>
internal sealed class ReportDelta : IRollupKey
{
    public const string Table = "ReportDeltas";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Dimension { get; set; } = ReportDimension.All;

    public Guid DimensionId { get; set; }

    public DateTimeOffset Hour { get; set; }

    public string Metric { get; set; } = "";

    public int Bucket { get; set; }

    public long Count { get; set; }

    public long Sum { get; set; }
}

/// <summary>The columns every rollup table (hours, days, weeks, months, deltas) is read by.</summary>
internal interface IRollupKey
{
    Guid TenantId { get; }

    string Dimension { get; }

    Guid DimensionId { get; }

    string Metric { get; }
}

internal sealed class ReportRollupConfiguration : IEntityTypeConfiguration<ReportRollup>
{
    public void Configure(EntityTypeBuilder<ReportRollup> builder)
    {
        builder.ToTable(ReportRollup.Table);
        // Metric before Hour: a series, the heat map or a level reads one metric's rows only (ADR 0049).
        builder.HasKey(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Metric, r.Hour, r.Bucket });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
    }
}

internal sealed class ReportDayRollupConfiguration : IEntityTypeConfiguration<ReportDayRollup>
{
    public void Configure(EntityTypeBuilder<ReportDayRollup> builder)
    {
        builder.ToTable(ReportDayRollup.Table);
        builder.HasKey(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Metric, r.Day, r.Bucket });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
    }
}

internal sealed class ReportWeekRollupConfiguration : IEntityTypeConfiguration<ReportWeekRollup>
{
    public void Configure(EntityTypeBuilder<ReportWeekRollup> builder)
    {
        builder.ToTable(ReportWeekRollup.Table);
        builder.HasKey(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Metric, r.Week, r.Bucket });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
    }
}

internal sealed class ReportMonthRollupConfiguration : IEntityTypeConfiguration<ReportMonthRollup>
{
    public void Configure(EntityTypeBuilder<ReportMonthRollup> builder)
    {
        builder.ToTable(ReportMonthRollup.Table);
        builder.HasKey(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Metric, r.Month, r.Bucket });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
    }
}

internal sealed class ReportYearRollupConfiguration : IEntityTypeConfiguration<ReportYearRollup>
{
    public void Configure(EntityTypeBuilder<ReportYearRollup> builder)
    {
        builder.ToTable(ReportYearRollup.Table);
        builder.HasKey(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Metric, r.Year, r.Bucket });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
    }
}

internal sealed class ReportRebuildCountConfiguration : IEntityTypeConfiguration<ReportRebuildCount>
{
    public void Configure(EntityTypeBuilder<ReportRebuildCount> builder)
    {
        builder.ToTable(ReportRebuildCount.Table);
        builder.HasKey(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Metric, r.Hour, r.Bucket });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
    }
}

internal sealed class ReportDeltaConfiguration : IEntityTypeConfiguration<ReportDelta>
{
    public void Configure(EntityTypeBuilder<ReportDelta> builder)
    {
        builder.ToTable(ReportDelta.Table);
        builder.HasKey(r => new { r.TenantId, r.Id });
        builder.Property(r => r.Dimension).HasMaxLength(8);
        builder.Property(r => r.Metric).HasMaxLength(32);
        builder.HasIndex(r => new { r.TenantId, r.Dimension, r.DimensionId, r.Hour });
    }
}

/// <summary>The Analytics feature's tables on the shared context (ADR 0020).</summary>
internal static class AnalyticsTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<ReportRollup> ReportRollups => db.Set<ReportRollup>();

        public DbSet<ReportDayRollup> ReportDayRollups => db.Set<ReportDayRollup>();

        public DbSet<ReportWeekRollup> ReportWeekRollups => db.Set<ReportWeekRollup>();

        public DbSet<ReportMonthRollup> ReportMonthRollups => db.Set<ReportMonthRollup>();

        public DbSet<ReportYearRollup> ReportYearRollups => db.Set<ReportYearRollup>();

        public DbSet<ReportDelta> ReportDeltas => db.Set<ReportDelta>();
    }
}
