using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Satisfaction;

/// <summary>A tenant's satisfaction survey: whether it is sent on resolve, its question, and list (1–5) or buttons (3 points) (ADR 0031).</summary>
internal sealed class SatisfactionSettings
{
    public const string DefaultQuestion = "How satisfied are you with our help?";

    public Guid TenantId { get; set; }

    public bool Enabled { get; set; }

    public string Question { get; set; } = DefaultQuestion;

    public SurveyFormat Format { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal enum SurveyFormat
{
    /// <summary>A list menu of five rows, scores 1 to 5.</summary>
    List,

    /// <summary>Three reply buttons (WhatsApp allows three), scores 1, 3 and 5.</summary>
    Buttons,
}

/// <summary>
/// The survey of one conversation, sent at most once (its key is the conversation): planned in the resolving
/// transaction, sent by <see cref="SurveySender"/> through the outbox, answered by the customer's reply (ADR 0031).
/// </summary>
internal sealed class CsatSurvey
{
    public const string Table = "CsatSurveys";

    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary>Named in the survey's reply ids, so an answer matches this survey and no other.</summary>
    public Guid Id { get; set; }

    public SurveyState State { get; set; }

    /// <summary>Who handled the conversation when it was resolved: the answer counts for them.</summary>
    public Guid? AgentId { get; set; }

    public Guid? TeamId { get; set; }

    public DateTimeOffset ResolvedAt { get; set; }

    /// <summary>When the sender may (re)try it; pushed to the lease's end while one node sends it.</summary>
    public DateTimeOffset DueAt { get; set; }

    public int Attempts { get; set; }

    public Guid? LeaseOwner { get; set; }

    /// <summary>Why it was not sent (the window closed, the number was revoked, …): no content.</summary>
    public string? LastError { get; set; }

    public Guid? MessageId { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>1 to 5.</summary>
    public int? Score { get; set; }

    /// <summary>Meta's time of the answer.</summary>
    public DateTimeOffset? AnsweredAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

internal enum SurveyState
{
    Pending,
    Sent,
    Answered,
    Skipped,
    Failed,
}

/// <summary>A manager's evaluation of an agent's handling of a conversation; the comments are sealed with the tenant key.</summary>
internal sealed class ConversationReview
{
    public const string Table = "ConversationReviews";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    /// <summary>The agent reviewed: the conversation's assignee when the review was written.</summary>
    public Guid? AgentId { get; set; }

    /// <summary>The reviewer (the audit actor id).</summary>
    public string ReviewerId { get; set; } = "";

    public int Score { get; set; }

    public byte[]? Comments { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public SealContext CommentsContext => new(TenantId, Table, Id, nameof(Comments));
}

internal sealed class SatisfactionSettingsConfiguration : IEntityTypeConfiguration<SatisfactionSettings>
{
    public void Configure(EntityTypeBuilder<SatisfactionSettings> builder)
    {
        builder.ToTable("SatisfactionSettings");
        builder.HasKey(s => s.TenantId);
        builder.Property(s => s.Question).HasMaxLength(1024);
        builder.Property(s => s.Format).HasConversion<LowercaseEnumConverter<SurveyFormat>>().HasMaxLength(16);
    }
}

internal sealed class CsatSurveyConfiguration : IEntityTypeConfiguration<CsatSurvey>
{
    public void Configure(EntityTypeBuilder<CsatSurvey> builder)
    {
        builder.ToTable(CsatSurvey.Table);
        builder.HasKey(s => new { s.TenantId, s.ConversationId });
        builder.Property(s => s.State).HasConversion<LowercaseEnumConverter<SurveyState>>().HasMaxLength(16);
        builder.Property(s => s.LastError).HasMaxLength(200);
        builder.HasIndex(s => s.DueAt, "IX_CsatSurveys_Due").HasFilter("\"State\" = 'pending'");
        builder.HasIndex(s => new { s.TenantId, s.AnsweredAt });
    }
}

internal sealed class ConversationReviewConfiguration : IEntityTypeConfiguration<ConversationReview>
{
    public void Configure(EntityTypeBuilder<ConversationReview> builder)
    {
        builder.ToTable(ConversationReview.Table);
        builder.HasKey(r => new { r.TenantId, r.Id });
        builder.Property(r => r.ReviewerId).HasMaxLength(100);
        builder.HasIndex(r => new { r.TenantId, r.ConversationId });
        builder.Ignore(r => r.CommentsContext);
    }
}

/// <summary>The satisfaction tables on the shared context (ADR 0020).</summary>
internal static class SatisfactionTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<SatisfactionSettings> SatisfactionSettings => db.Set<SatisfactionSettings>();

        public DbSet<CsatSurvey> CsatSurveys => db.Set<CsatSurvey>();

        public DbSet<ConversationReview> ConversationReviews => db.Set<ConversationReview>();
    }
}

/// <summary>Surveys were planned: the sender looks again.</summary>
internal sealed class SurveySignal
{
    public WorkSignal Signal { get; } = new();
}
