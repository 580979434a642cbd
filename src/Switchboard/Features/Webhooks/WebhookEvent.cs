using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// A webhook POST exactly as Meta sent it, sealed (tenant key for a tenant's URL, the platform inbox key
/// for the shared URL) and appended before the 200 goes out. The processor works through pending rows;
/// rows are purged after the replay window.
/// </summary>
internal sealed class WebhookEvent
{
    public const string Table = "InboxEvents";

    public Guid Id { get; set; }

    /// <summary>The tenant the URL named; null for the platform URL until routing.</summary>
    public Guid? TenantId { get; set; }

    public DateTimeOffset ReceivedAt { get; set; }

    public byte[] Body { get; set; } = [];

    public WebhookEventState State { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public Guid? LeaseOwner { get; set; }

    public DateTimeOffset? LeaseUntil { get; set; }

    public DateTimeOffset? ProcessedAt { get; set; }

    /// <summary>Why it is quarantined: unknown-number, unparseable, revoked-channel, processing-failed.</summary>
    public string? Reason { get; set; }

    /// <summary>The lock bucket of the one customer the body is about, or null (ADR 0062): loops claim disjoint customers by it.</summary>
    public int? SenderKey { get; set; }

    /// <summary>The W3C traceparent of the request that stored it, when that request was traced (ADR 0036).</summary>
    public string? TraceParent { get; set; }

    public SealContext BodyContext => new(TenantId ?? Guid.Empty, Table, Id, nameof(Body));
}

internal enum WebhookEventState
{
    Pending,
    Processed,
    Quarantined,
}

internal sealed class WebhookEventConfiguration : IEntityTypeConfiguration<WebhookEvent>
{
    public void Configure(EntityTypeBuilder<WebhookEvent> builder)
    {
        builder.ToTable(WebhookEvent.Table);
        builder.HasKey(e => e.Id);
        builder.Property(e => e.State).HasConversion<LowercaseEnumConverter<WebhookEventState>>().HasMaxLength(16);
        builder.Property(e => e.Reason).HasMaxLength(64);
        builder.Property(e => e.TraceParent).HasMaxLength(64);
        // The processor claims pending events in arrival order, and the operator pages through quarantined
        // ones in that order: without these, a scan in key order walks every processed event still kept.
        // Processed events, nearly all rows, are in neither, so finishing one adds no entry to them.
        builder.HasIndex(e => e.Id, "IX_InboxEvents_Pending").HasFilter("\"State\" = 'pending'");
        builder.HasIndex(e => e.Id, "IX_InboxEvents_Quarantined").HasFilter("\"State\" = 'quarantined'");
        builder.HasIndex(e => e.ReceivedAt);
        builder.Ignore(e => e.BodyContext);
    }
}
