using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Routing;

/// <summary>A team (queue) of a tenant: its members take its conversations by its strategy. The row is the team's dispatch lock (ADR 0022).</summary>
internal sealed class Team
{
    public const string RoundRobin = "round_robin";
    public const string LeastBusy = "least_busy";
    public const string Manual = "manual";

    public static readonly string[] Strategies = [RoundRobin, LeastBusy, Manual];

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary><see cref="RoundRobin"/>, <see cref="LeastBusy"/> or <see cref="Manual"/> (queue only, agents pick).</summary>
    public string Strategy { get; set; } = RoundRobin;

    /// <summary>Open conversations a member takes at most (unless the agent has a capacity of their own).</summary>
    public int Capacity { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class TeamMember
{
    public Guid TenantId { get; set; }

    public Guid TeamId { get; set; }

    public Guid UserId { get; set; }

    public DateTimeOffset AddedAt { get; set; }
}

/// <summary>The default team of a number: conversations it opens enter that team's queue.</summary>
internal sealed class ChannelTeam
{
    public Guid TenantId { get; set; }

    public Guid ChannelId { get; set; }

    public Guid TeamId { get; set; }
}

/// <summary>An agent's availability; no row means offline. The row is the agent's assignment lock (ADR 0022).</summary>
internal sealed class AgentState
{
    public const string Online = "online";
    public const string Busy = "busy";
    public const string Away = "away";
    public const string Offline = "offline";

    public static readonly string[] Statuses = [Online, Busy, Away, Offline];

    /// <summary>The realtime event of an availability change (detail <c>userId:status</c>, nothing personal).</summary>
    public const string ChangedEvent = "agent.changed";

    /// <summary>Set through the API: presence never changes it (integrations keep agents available).</summary>
    public const string FromApi = "api";

    /// <summary>Set by the agent in the dashboard: goes offline when their last dashboard closes.</summary>
    public const string FromDashboard = "dashboard";

    /// <summary>Set by presence (auto-away, offline when the dashboard closed); activity brings an auto-away back online.</summary>
    public const string FromPresence = "auto";

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public string Status { get; set; } = Offline;

    public DateTimeOffset StatusAt { get; set; }

    /// <summary>Who set the status: <see cref="FromApi"/>, <see cref="FromDashboard"/> or <see cref="FromPresence"/>.</summary>
    public string Source { get; set; } = FromApi;

    /// <summary>The last activity in a dashboard (throttled pings); idle beyond the tenant's auto-away minutes means away.</summary>
    public DateTimeOffset? LastActivityAt { get; set; }

    /// <summary>Round robin picks the member longest since their last assignment.</summary>
    public DateTimeOffset? LastAssignedAt { get; set; }
}

/// <summary>One open dashboard circuit of a signed-in member on a node, refreshed while it lives (ADR 0022).</summary>
internal sealed class AgentPresence
{
    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    /// <summary>The circuit's id.</summary>
    public string SessionId { get; set; } = "";

    /// <summary>The node holding the circuit (machine name and process id).</summary>
    public string Node { get; set; } = "";

    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>The conversation the circuit shows, if any: others who open it are warned (ADR 0033).</summary>
    public Guid? ConversationId { get; set; }
}

/// <summary>One assignment, transfer or unassignment of a conversation, with why (for automatic ones).</summary>
internal sealed class AssignmentEntry
{
    public const string Table = "Assignments";
    public const string Auto = "auto";
    public const string ManualKind = "manual";
    public const string Transfer = "transfer";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public DateTimeOffset At { get; set; }

    public string Kind { get; set; } = Auto;

    public Guid? FromUserId { get; set; }

    public Guid? ToUserId { get; set; }

    public Guid? FromTeamId { get; set; }

    public Guid? ToTeamId { get; set; }

    public Guid? ByUserId { get; set; }

    public Guid? NoteMessageId { get; set; }

    /// <summary>How long it waited in the queue before this assignment.</summary>
    public long? WaitedMs { get; set; }

    /// <summary>Why this agent (JSON, ids and numbers only): strategy, cause, the pick and the candidates.</summary>
    public string? Reason { get; set; }
}

/// <summary>A tenant's routing choices; no row means the defaults.</summary>
internal sealed class RoutingSettings
{
    public Guid TenantId { get; set; }

    /// <summary>Agents see only unassigned-to-team conversations, their teams' and their own.</summary>
    public bool AgentsSeeOwnTeamsOnly { get; set; }

    /// <summary>A returning customer goes to their last agent when that agent is online with room.</summary>
    public bool StickyToLastAgent { get; set; }

    /// <summary>An agent online from the dashboard and idle this long becomes away.</summary>
    public int AutoAwayMinutes { get; set; } = DefaultAutoAwayMinutes;

    public const int DefaultAutoAwayMinutes = 10;

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.ToTable("Teams");
        builder.HasKey(t => new { t.TenantId, t.Id });
        builder.Property(t => t.Name).HasMaxLength(128);
        builder.Property(t => t.Strategy).HasMaxLength(16);
        builder.HasIndex(t => new { t.TenantId, t.Name }).IsUnique();
    }
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<TeamMember> builder)
    {
        builder.ToTable("TeamMembers");
        builder.HasKey(m => new { m.TenantId, m.TeamId, m.UserId });
        builder.HasIndex(m => new { m.TenantId, m.UserId });
    }
}

internal sealed class ChannelTeamConfiguration : IEntityTypeConfiguration<ChannelTeam>
{
    public void Configure(EntityTypeBuilder<ChannelTeam> builder)
    {
        builder.ToTable("ChannelTeams");
        builder.HasKey(c => new { c.TenantId, c.ChannelId });
        builder.HasIndex(c => new { c.TenantId, c.TeamId });
    }
}

internal sealed class AgentStateConfiguration : IEntityTypeConfiguration<AgentState>
{
    public void Configure(EntityTypeBuilder<AgentState> builder)
    {
        builder.ToTable("AgentStates");
        builder.HasKey(a => new { a.TenantId, a.UserId });
        builder.Property(a => a.Status).HasMaxLength(16);
        builder.Property(a => a.Source).HasMaxLength(16).HasDefaultValue(AgentState.FromApi);
    }
}

internal sealed class AgentPresenceConfiguration : IEntityTypeConfiguration<AgentPresence>
{
    public void Configure(EntityTypeBuilder<AgentPresence> builder)
    {
        builder.ToTable("AgentPresence");
        builder.HasKey(p => new { p.TenantId, p.UserId, p.SessionId });
        builder.Property(p => p.SessionId).HasMaxLength(64);
        builder.Property(p => p.Node).HasMaxLength(64);
        builder.HasIndex(p => p.LastSeenAt);
        builder.HasIndex(p => new { p.TenantId, p.ConversationId });
    }
}

internal sealed class AssignmentEntryConfiguration : IEntityTypeConfiguration<AssignmentEntry>
{
    public void Configure(EntityTypeBuilder<AssignmentEntry> builder)
    {
        builder.ToTable(AssignmentEntry.Table);
        builder.HasKey(a => new { a.TenantId, a.Id });
        builder.Property(a => a.Kind).HasMaxLength(16);
        builder.Property(a => a.Reason).HasMaxLength(4000);
        builder.HasIndex(a => new { a.TenantId, a.ConversationId, a.At });
        builder.HasIndex(a => new { a.TenantId, a.ToTeamId, a.At });
    }
}

internal sealed class RoutingSettingsConfiguration : IEntityTypeConfiguration<RoutingSettings>
{
    public void Configure(EntityTypeBuilder<RoutingSettings> builder)
    {
        builder.ToTable("RoutingSettings");
        builder.HasKey(s => s.TenantId);
        builder.Property(s => s.AutoAwayMinutes).HasDefaultValue(RoutingSettings.DefaultAutoAwayMinutes);
    }
}

/// <summary>The Routing feature's tables on the shared context (ADR 0020).</summary>
internal static class RoutingTables
{
    extension(Common.Persistence.SwitchboardDbContext db)
    {
        public DbSet<Team> Teams => db.Set<Team>();

        public DbSet<TeamMember> TeamMembers => db.Set<TeamMember>();

        public DbSet<ChannelTeam> ChannelTeams => db.Set<ChannelTeam>();

        public DbSet<AgentState> AgentStates => db.Set<AgentState>();

        public DbSet<AgentPresence> AgentPresence => db.Set<AgentPresence>();

        public DbSet<AssignmentEntry> Assignments => db.Set<AssignmentEntry>();

        public DbSet<RoutingSettings> RoutingSettings => db.Set<RoutingSettings>();
    }
}
