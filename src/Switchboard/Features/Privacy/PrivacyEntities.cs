using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Privacy;

/// <summary>
/// A tenant's retention schedule in days per data class (null: the platform default, <see cref="RetentionOptions"/>),
/// and when the retention job next runs for it (ADR 0032).
/// </summary>
internal sealed class RetentionPolicy
{
    public Guid TenantId { get; set; }

    public int? MessagesDays { get; set; }

    public int? MediaDays { get; set; }

    public int? InactiveContactsDays { get; set; }

    public int? RawEventsDays { get; set; }

    public int? AuditDays { get; set; }

    public int? ExportsDays { get; set; }

    public int? SessionsDays { get; set; }

    /// <summary>The shorter schedule for contacts marked as minors (messages, media and inactivity).</summary>
    public int? MinorsDays { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    /// <summary>When the job next runs for the tenant; pushed to the lease's end while a node runs it.</summary>
    public DateTimeOffset NextRunAt { get; set; }

    public int Attempts { get; set; }
}

/// <summary>What one retention run removed for a tenant, in counts per class (never content).</summary>
internal sealed class RetentionRun
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset CompletedAt { get; set; }

    public int Messages { get; set; }

    public int Media { get; set; }

    public int Contacts { get; set; }

    public int RawEvents { get; set; }

    public int AuditEntries { get; set; }

    public int Exports { get; set; }

    public int Sessions { get; set; }
}

/// <summary>A legal hold on a contact or a conversation: retention and erasure leave it alone while it lasts.</summary>
internal sealed class LegalHold
{
    public const string ContactKind = "contact";
    public const string ConversationKind = "conversation";

    public Guid TenantId { get; set; }

    /// <summary><see cref="ContactKind"/> or <see cref="ConversationKind"/>.</summary>
    public string Kind { get; set; } = "";

    public Guid TargetId { get; set; }

    public DateTimeOffset PlacedAt { get; set; }

    /// <summary>The audit actor id of who placed it.</summary>
    public string PlacedBy { get; set; } = "";
}

/// <summary>A contact's privacy flags: a minor (shorter retention), restricted (no bots, analytics or automation).</summary>
internal sealed class ContactPrivacy
{
    public Guid TenantId { get; set; }

    public Guid ContactId { get; set; }

    public bool Minor { get; set; }

    public bool Restricted { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A data-rights request (access, rectification, erasure, restriction, objection) with its 30-day deadline.
/// The requester is sealed with the tenant key; the record keeps no content of what was done (ADR 0032).
/// </summary>
internal sealed class DataRightsRequest
{
    public const string Table = "DataRightsRequests";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Type { get; set; } = "";

    public Guid? ContactId { get; set; }

    /// <summary>The requester's name and e-mail as JSON, sealed with the tenant key.</summary>
    public byte[] Requester { get; set; } = [];

    public DateTimeOffset ReceivedAt { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public string Status { get; set; } = "";

    /// <summary>When the deadline warning is due; pushed to the lease's end while a node warns.</summary>
    public DateTimeOffset WarnAt { get; set; }

    public DateTimeOffset? WarnedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The export made for an access request.</summary>
    public Guid? ExportId { get; set; }

    /// <summary>Why it was rejected, as a code.</summary>
    public string? Reason { get; set; }

    public bool ConfirmationQueued { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public SealContext RequesterContext => new(TenantId, Table, Id, nameof(Requester));
}

internal sealed class RetentionPolicyConfiguration : IEntityTypeConfiguration<RetentionPolicy>
{
    public void Configure(EntityTypeBuilder<RetentionPolicy> builder)
    {
        builder.ToTable("RetentionPolicies");
        builder.HasKey(p => p.TenantId);
        builder.HasIndex(p => p.NextRunAt);
    }
}

internal sealed class RetentionRunConfiguration : IEntityTypeConfiguration<RetentionRun>
{
    public void Configure(EntityTypeBuilder<RetentionRun> builder)
    {
        builder.ToTable("RetentionRuns");
        builder.HasKey(r => new { r.TenantId, r.Id });
    }
}

internal sealed class LegalHoldConfiguration : IEntityTypeConfiguration<LegalHold>
{
    public void Configure(EntityTypeBuilder<LegalHold> builder)
    {
        builder.ToTable("LegalHolds");
        builder.HasKey(h => new { h.TenantId, h.Kind, h.TargetId });
        builder.Property(h => h.Kind).HasMaxLength(16);
        builder.Property(h => h.PlacedBy).HasMaxLength(100);
    }
}

internal sealed class ContactPrivacyConfiguration : IEntityTypeConfiguration<ContactPrivacy>
{
    public void Configure(EntityTypeBuilder<ContactPrivacy> builder)
    {
        builder.ToTable("ContactPrivacy");
        builder.HasKey(c => new { c.TenantId, c.ContactId });
    }
}

internal sealed class DataRightsRequestConfiguration : IEntityTypeConfiguration<DataRightsRequest>
{
    public void Configure(EntityTypeBuilder<DataRightsRequest> builder)
    {
        builder.ToTable(DataRightsRequest.Table);
        builder.HasKey(r => new { r.TenantId, r.Id });
        builder.Property(r => r.Type).HasMaxLength(16);
        builder.Property(r => r.Status).HasMaxLength(16);
        builder.Property(r => r.Reason).HasMaxLength(32);
        builder.Property(r => r.CreatedBy).HasMaxLength(100);
        builder.HasIndex(r => new { r.Status, r.WarnAt });
        builder.Ignore(r => r.RequesterContext);
    }
}
