using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Flows;

/// <summary>A chatbot flow of a tenant (ADR 0029): its editable draft and which published version runs.</summary>
internal sealed class Flow
{
    public const string Table = "Flows";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The draft document (JSON, <see cref="FlowDocument"/>), replaced by every PUT.</summary>
    public string Draft { get; set; } = "";

    /// <summary>The version new conversations start on; null until published.</summary>
    public int? PublishedVersion { get; set; }

    /// <summary>The highest version number published so far.</summary>
    public int LatestVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A published, never changed, copy of a flow's document; sessions keep the version they started on.</summary>
internal sealed class FlowVersion
{
    public const string Table = "FlowVersions";

    public Guid TenantId { get; set; }

    public Guid FlowId { get; set; }

    public int Version { get; set; }

    public string Document { get; set; } = "";

    public DateTimeOffset PublishedAt { get; set; }
}

/// <summary>
/// The bot's state in one conversation (ADR 0029). <see cref="DueAt"/> says when the runner next looks at it
/// (a customer's message, a wait's end, a retry; null: idle); a claim pushes it to the lease's end.
/// </summary>
internal sealed class FlowSession
{
    public const string Table = "FlowSessions";

    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    public FlowSessionState State { get; set; }

    /// <summary>Null while <see cref="FlowSessionState.Pending"/>: the triggers are still to be matched.</summary>
    public Guid? FlowId { get; set; }

    public int? Version { get; set; }

    /// <summary>The node the session stands on: waiting for an answer, or for a wait to end.</summary>
    public string? NodeId { get; set; }

    /// <summary>Customer messages stored after this are still to be read.</summary>
    public DateTimeOffset InputAfter { get; set; }

    /// <summary>When a wait or an answer's timeout ends.</summary>
    public DateTimeOffset? WaitUntil { get; set; }

    /// <summary>Answers in a row that did not fit the question.</summary>
    public int InvalidAnswers { get; set; }

    /// <summary>Bot messages sent so far: each send's idempotency key, so a repeated run sends nothing twice.</summary>
    public int Sends { get; set; }

    /// <summary>The conversation was new when the session began (the new-conversation trigger).</summary>
    public bool NewConversation { get; set; }

    public string? EndReason { get; set; }

    /// <summary>The node ids this session has stood on, space-separated, each once: what node analytics counted (ADR 0041).</summary>
    public string? Visited { get; set; }

    public DateTimeOffset? DueAt { get; set; }

    public int Attempts { get; set; }

    public Guid? LeaseOwner { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal enum FlowSessionState
{
    /// <summary>A customer wrote; the runner decides whether a flow starts.</summary>
    Pending,

    Active,

    Ended,
}

internal sealed class FlowConfiguration : IEntityTypeConfiguration<Flow>
{
    public void Configure(EntityTypeBuilder<Flow> builder)
    {
        builder.ToTable(Flow.Table);
        builder.HasKey(f => new { f.TenantId, f.Id });
        builder.Property(f => f.Name).HasMaxLength(128);
    }
}

internal sealed class FlowVersionConfiguration : IEntityTypeConfiguration<FlowVersion>
{
    public void Configure(EntityTypeBuilder<FlowVersion> builder)
    {
        builder.ToTable(FlowVersion.Table);
        builder.HasKey(v => new { v.TenantId, v.FlowId, v.Version });
        builder.HasOne<Flow>().WithMany().HasForeignKey(v => new { v.TenantId, v.FlowId }).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class FlowSessionConfiguration : IEntityTypeConfiguration<FlowSession>
{
    public void Configure(EntityTypeBuilder<FlowSession> builder)
    {
        builder.ToTable(FlowSession.Table);
        builder.HasKey(s => new { s.TenantId, s.ConversationId });
        builder.Property(s => s.State).HasConversion<LowercaseEnumConverter<FlowSessionState>>().HasMaxLength(8);
        builder.Property(s => s.NodeId).HasMaxLength(64);
        builder.Property(s => s.EndReason).HasMaxLength(32);
        builder.Property(s => s.LastError).HasMaxLength(200);
        builder.HasIndex(s => s.DueAt, "IX_FlowSessions_Due").HasFilter("\"DueAt\" IS NOT NULL");
    }
}

/// <summary>The flow tables on the shared context (ADR 0020).</summary>
internal static class FlowsTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<Flow> Flows => db.Set<Flow>();

        public DbSet<FlowVersion> FlowVersions => db.Set<FlowVersion>();

        public DbSet<FlowSession> FlowSessions => db.Set<FlowSession>();

        public DbSet<FlowNodeStat> FlowNodeStats => db.Set<FlowNodeStat>();
    }
}

/// <summary>Sessions fell due (a customer wrote, a flow started): the runner looks again.</summary>
internal sealed class FlowSignal
{
    public WorkSignal Signal { get; } = new();
}
