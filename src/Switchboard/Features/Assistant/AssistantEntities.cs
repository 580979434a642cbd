using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Assistant;

/// <summary>A tenant's assistant: off until an admin turns it on; the local provider or an OpenAI-compatible endpoint (ADR 0035).</summary>
internal sealed class AssistantSettings
{
    public const string Table = "AssistantSettings";

    public Guid TenantId { get; set; }

    public bool Enabled { get; set; }

    public AssistantProviderKind Provider { get; set; }

    public string? BaseUrl { get; set; }

    public string? Model { get; set; }

    /// <summary>The endpoint's API key, sealed with the tenant key like a channel's secrets.</summary>
    public byte[]? ApiKey { get; set; }

    /// <summary>The key's last four characters, for the masked answer.</summary>
    public string? ApiKeyHint { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public SealContext ApiKeyContext => new(TenantId, Table, TenantId, nameof(ApiKey));
}

internal enum AssistantProviderKind
{
    Local,
    OpenAi,
}

/// <summary>Why a summary was written.</summary>
internal enum SummaryTrigger
{
    Requested,
    Resolved,
    Transferred,
}

/// <summary>A conversation's summary, sealed with the tenant key; the newest is shown first in the conversation (ADR 0035).</summary>
internal sealed class ConversationSummary
{
    public const string Table = "ConversationSummaries";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ConversationId { get; set; }

    public byte[] Text { get; set; } = [];

    public SummaryTrigger Trigger { get; set; }

    /// <summary>The provider that wrote it: <c>local</c> or <c>openai</c>.</summary>
    public string Provider { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public SealContext TextContext => new(TenantId, Table, Id, nameof(Text));
}

/// <summary>The sentiment of one customer message, written when it arrives (ADR 0035).</summary>
internal sealed class MessageSentiment
{
    public Guid TenantId { get; set; }

    public Guid MessageId { get; set; }

    public Guid ConversationId { get; set; }

    public SentimentLabel Label { get; set; }

    public double Score { get; set; }

    public string Model { get; set; } = "";

    public DateTimeOffset At { get; set; }
}

/// <summary>A conversation's sentiment trend: a moving average of its customer messages' scores, halving the older ones' weight.</summary>
internal sealed class ConversationSentiment
{
    public Guid TenantId { get; set; }

    public Guid ConversationId { get; set; }

    public SentimentLabel Label { get; set; }

    public double Score { get; set; }

    /// <summary>The last message's score minus the trend before it: below zero, getting worse.</summary>
    public double Change { get; set; }

    public int Messages { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class AssistantSettingsConfiguration : IEntityTypeConfiguration<AssistantSettings>
{
    public void Configure(EntityTypeBuilder<AssistantSettings> builder)
    {
        builder.ToTable(AssistantSettings.Table);
        builder.HasKey(s => s.TenantId);
        builder.Property(s => s.Provider).HasConversion<LowercaseEnumConverter<AssistantProviderKind>>().HasMaxLength(16);
        builder.Property(s => s.BaseUrl).HasMaxLength(512);
        builder.Property(s => s.Model).HasMaxLength(128);
        builder.Property(s => s.ApiKeyHint).HasMaxLength(8);
        builder.Ignore(s => s.ApiKeyContext);
    }
}

internal sealed class ConversationSummaryConfiguration : IEntityTypeConfiguration<ConversationSummary>
{
    public void Configure(EntityTypeBuilder<ConversationSummary> builder)
    {
        builder.ToTable(ConversationSummary.Table);
        builder.HasKey(s => new { s.TenantId, s.Id });
        builder.Property(s => s.Trigger).HasConversion<LowercaseEnumConverter<SummaryTrigger>>().HasMaxLength(16);
        builder.Property(s => s.Provider).HasMaxLength(16);
        builder.HasIndex(s => new { s.TenantId, s.ConversationId });
        builder.Ignore(s => s.TextContext);
    }
}

internal sealed class MessageSentimentConfiguration : IEntityTypeConfiguration<MessageSentiment>
{
    public void Configure(EntityTypeBuilder<MessageSentiment> builder)
    {
        builder.ToTable("MessageSentiments");
        builder.HasKey(s => new { s.TenantId, s.MessageId });
        builder.Property(s => s.Label).HasConversion<LowercaseEnumConverter<SentimentLabel>>().HasMaxLength(16);
        builder.Property(s => s.Model).HasMaxLength(16);
        builder.HasIndex(s => new { s.TenantId, s.ConversationId });
    }
}

internal sealed class ConversationSentimentConfiguration : IEntityTypeConfiguration<ConversationSentiment>
{
    public void Configure(EntityTypeBuilder<ConversationSentiment> builder)
    {
        builder.ToTable("ConversationSentiments");
        builder.HasKey(s => new { s.TenantId, s.ConversationId });
        builder.Property(s => s.Label).HasConversion<LowercaseEnumConverter<SentimentLabel>>().HasMaxLength(16);
    }
}

/// <summary>The assistant's tables on the shared context (ADR 0020).</summary>
internal static class AssistantTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<AssistantSettings> AssistantSettings => db.Set<AssistantSettings>();

        public DbSet<ConversationSummary> ConversationSummaries => db.Set<ConversationSummary>();

        public DbSet<MessageSentiment> MessageSentiments => db.Set<MessageSentiment>();

        public DbSet<ConversationSentiment> ConversationSentiments => db.Set<ConversationSentiment>();
    }
}
