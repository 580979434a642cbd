using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>
/// One running SLA clock of a conversation: it warns, then breaches, at most once each (ADR 0023). A row
/// is claimed by pushing <see cref="DueAt"/> to the lease's end; a timer whose clock stopped or moved
/// ends silently when it falls due, so nothing deletes timers on a reply. No foreign key to its
/// conversation: the inbound batch plans (and saves) timers before it inserts the conversations it opened.
/// </summary>
internal sealed class SlaTimer
{
    public const string Table = "SlaTimers";

    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    public SlaKind Kind { get; set; }

    /// <summary>When the clock started (the customer's message); a new policy recomputes the target from here.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>The due time this timer stands for; equal to the conversation's due column while it is current.</summary>
    public DateTimeOffset TargetAt { get; set; }

    /// <summary>When it next runs: the warning, the target, a retry, or a lease's end.</summary>
    public DateTimeOffset DueAt { get; set; }

    public SlaTimerStage Stage { get; set; }

    public int Attempts { get; set; }

    public Guid? LeaseOwner { get; set; }

    public string? LastError { get; set; }
}

internal enum SlaTimerStage
{
    Warn,
    Breach,
    Done,
}

internal sealed class SlaTimerConfiguration : IEntityTypeConfiguration<SlaTimer>
{
    public void Configure(EntityTypeBuilder<SlaTimer> builder)
    {
        builder.ToTable(SlaTimer.Table);
        builder.HasKey(t => new { t.TenantId, t.ConversationId, t.Kind });
        builder.Property(t => t.Kind).HasConversion<SlaKindConverter>().HasMaxLength(16);
        builder.Property(t => t.Stage).HasConversion<LowercaseEnumConverter<SlaTimerStage>>().HasMaxLength(8);
        builder.Property(t => t.LastError).HasMaxLength(200);
        builder.HasIndex(t => t.DueAt, "IX_SlaTimers_Due").HasFilter("\"Stage\" <> 'done'");
    }
}
