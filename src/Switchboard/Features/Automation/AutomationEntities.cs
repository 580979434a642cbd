using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Automation;

/// <summary>
/// Something that happened to a conversation, waiting for its automatic replies and rules (ADR 0028). Written in
/// the transaction of the change itself, so nothing is lost to a crash; run once by the job runner, then deleted.
/// </summary>
internal sealed class AutomationJob
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary>One of <see cref="AutomationTrigger"/>'s names.</summary>
    public string Trigger { get; set; } = "";

    /// <summary>The customer's message (opened, message).</summary>
    public Guid? MessageId { get; set; }

    /// <summary>The label added (label_added).</summary>
    public Guid? LabelId { get; set; }

    /// <summary>Non-personal detail: the SLA target that warned.</summary>
    public string? Detail { get; set; }

    public DateTimeOffset At { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public int Attempts { get; set; }

    public Guid? LeaseOwner { get; set; }

    public string? LastError { get; set; }
}

/// <summary>What put an <see cref="AutomationJob"/> in the queue.</summary>
internal static class AutomationTrigger
{
    /// <summary>A customer's message opened a conversation (rules: conversation created and message received).</summary>
    public const string Opened = "opened";

    /// <summary>A customer's message on a conversation that existed (rules: message received).</summary>
    public const string Message = "message";

    public const string Resolved = "resolved";

    public const string LabelAdded = "label_added";

    public const string SlaWarning = "sla_warning";
}

/// <summary>A tenant's automation rule: when an event happens and every condition holds, the actions run, in rule order.</summary>
internal sealed class AutomationRule
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Rules run in ascending position (then creation order).</summary>
    public int Position { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>One of <see cref="RuleEvents.All"/>.</summary>
    public string Event { get; set; } = "";

    /// <summary>JSON array of <see cref="RuleCondition"/>.</summary>
    public string Conditions { get; set; } = "[]";

    /// <summary>JSON array of <see cref="RuleAction"/>.</summary>
    public string Actions { get; set; } = "[]";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One run of a rule on one event: which actions it took (ids and names only, never message text).</summary>
internal sealed class AutomationRun
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid RuleId { get; set; }

    /// <summary>The job (event) it ran for: a rule runs at most once per event, retries included.</summary>
    public Guid JobId { get; set; }

    public Guid ConversationId { get; set; }

    public string Event { get; set; } = "";

    public DateTimeOffset At { get; set; }

    /// <summary>The action types taken, comma-separated; an action that could not be taken is named with <c>!</c>.</summary>
    public string Actions { get; set; } = "";
}

/// <summary>
/// Greeting, away and out-of-hours texts of a tenant (<see cref="ChannelId"/> empty) or one number (which then
/// replaces the tenant's settings for its conversations). A null text turns that reply off.
/// </summary>
internal sealed class AutoReplySettings
{
    public Guid TenantId { get; set; }

    public Guid ChannelId { get; set; }

    public string? GreetingText { get; set; }

    public string? AwayText { get; set; }

    public string? OutOfHoursText { get; set; }

    /// <summary>The routing calendar that says when the business is open (out-of-hours needs one).</summary>
    public Guid? CalendarId { get; set; }

    /// <summary>At most one reply of a kind per conversation within this many minutes.</summary>
    public int PeriodMinutes { get; set; } = 1440;

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The last automatic reply of a kind in a conversation: its key makes "once per period" hold across nodes and restarts.</summary>
internal sealed class AutoReplySent
{
    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary><c>greeting</c>, <c>away</c> or <c>out_of_hours</c>.</summary>
    public string Kind { get; set; } = "";

    public DateTimeOffset SentAt { get; set; }

    /// <summary>The job that claimed it: a retry of that job may still send (its idempotency key prevents a second message).</summary>
    public Guid JobId { get; set; }
}

internal sealed class AutomationJobConfiguration : IEntityTypeConfiguration<AutomationJob>
{
    public void Configure(EntityTypeBuilder<AutomationJob> builder)
    {
        builder.ToTable("AutomationJobs");
        builder.HasKey(j => new { j.TenantId, j.Id });
        builder.Property(j => j.Trigger).HasMaxLength(32);
        builder.Property(j => j.Detail).HasMaxLength(64);
        builder.Property(j => j.LastError).HasMaxLength(200);
        builder.HasIndex(j => j.DueAt);
    }
}

internal sealed class AutomationRuleConfiguration : IEntityTypeConfiguration<AutomationRule>
{
    public void Configure(EntityTypeBuilder<AutomationRule> builder)
    {
        builder.ToTable("AutomationRules");
        builder.HasKey(r => new { r.TenantId, r.Id });
        builder.Property(r => r.Name).HasMaxLength(128);
        builder.Property(r => r.Event).HasMaxLength(32);
        builder.HasIndex(r => new { r.TenantId, r.Event, r.Position });
    }
}

internal sealed class AutomationRunConfiguration : IEntityTypeConfiguration<AutomationRun>
{
    public void Configure(EntityTypeBuilder<AutomationRun> builder)
    {
        builder.ToTable("AutomationRuns");
        builder.HasKey(r => new { r.TenantId, r.Id });
        builder.Property(r => r.Event).HasMaxLength(32);
        builder.Property(r => r.Actions).HasMaxLength(400);
        builder.HasIndex(r => new { r.TenantId, r.JobId, r.RuleId }).IsUnique();
        builder.HasIndex(r => new { r.TenantId, r.RuleId, r.At });
    }
}

internal sealed class AutoReplySettingsConfiguration : IEntityTypeConfiguration<AutoReplySettings>
{
    public void Configure(EntityTypeBuilder<AutoReplySettings> builder)
    {
        builder.ToTable("AutoReplySettings");
        builder.HasKey(s => new { s.TenantId, s.ChannelId });
        builder.Property(s => s.GreetingText).HasMaxLength(4096);
        builder.Property(s => s.AwayText).HasMaxLength(4096);
        builder.Property(s => s.OutOfHoursText).HasMaxLength(4096);
    }
}

internal sealed class AutoReplySentConfiguration : IEntityTypeConfiguration<AutoReplySent>
{
    public void Configure(EntityTypeBuilder<AutoReplySent> builder)
    {
        builder.ToTable("AutoRepliesSent");
        builder.HasKey(s => new { s.TenantId, s.ConversationId, s.Kind });
        builder.Property(s => s.Kind).HasMaxLength(16);
    }
}

/// <summary>The Automation feature's tables on the shared context (ADR 0020).</summary>
internal static class AutomationTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<AutomationJob> AutomationJobs => db.Set<AutomationJob>();

        public DbSet<AutomationRule> AutomationRules => db.Set<AutomationRule>();

        public DbSet<AutomationRun> AutomationRuns => db.Set<AutomationRun>();

        public DbSet<AutoReplySettings> AutoReplySettings => db.Set<AutoReplySettings>();

        public DbSet<AutoReplySent> AutoRepliesSent => db.Set<AutoReplySent>();
    }
}
