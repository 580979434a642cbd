using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Routing;

/// <summary>
/// Response and resolution targets, applied to a conversation by its team and/or label; the lowest
/// <see cref="Rank"/> that matches wins (ADR 0023). Targets are minutes, of business hours when
/// <see cref="BusinessHours"/> is set.
/// </summary>
internal sealed class SlaPolicy
{
    public const string Table = "SlaPolicies";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Applies to this team's conversations only; null: any team (or none).</summary>
    public Guid? TeamId { get; set; }

    /// <summary>Applies to conversations carrying this label only (a label name); null: any.</summary>
    public string? Label { get; set; }

    public int? FirstResponseMinutes { get; set; }

    public int? NextResponseMinutes { get; set; }

    public int? ResolutionMinutes { get; set; }

    /// <summary>How long before a target the warning goes out; 0: no warning.</summary>
    public int WarnBeforeMinutes { get; set; } = 10;

    public bool BusinessHours { get; set; }

    /// <summary>The business hours counted when <see cref="BusinessHours"/> is set; null: around the clock.</summary>
    public Guid? CalendarId { get; set; }

    public int Rank { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SlaPolicyConfiguration : IEntityTypeConfiguration<SlaPolicy>
{
    public void Configure(EntityTypeBuilder<SlaPolicy> builder)
    {
        builder.ToTable(SlaPolicy.Table);
        builder.HasKey(p => new { p.TenantId, p.Id });
        builder.Property(p => p.Name).HasMaxLength(128);
        builder.Property(p => p.Label).HasMaxLength(64);
        builder.HasIndex(p => new { p.TenantId, p.Rank });
    }
}
