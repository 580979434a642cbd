using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Audit;

/// <summary>
/// One entry of a tenant's append-only audit log. <see cref="Hash"/> is SHA-256 over the previous
/// entry's hash and this entry's fields, so editing, deleting or reordering any entry breaks the chain
/// from there on. Never holds message content or secrets. <see cref="AuditLog.PlatformChain"/>
/// (the empty id) is the platform's own chain: operator actions and sign-in failures for unknown accounts;
/// it has no tenant row, hence no foreign key to one.
/// </summary>
[NoTenantForeignKey]
internal sealed class AuditEntry
{
    public Guid TenantId { get; set; }

    public long Sequence { get; set; }

    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary><c>user:&lt;id&gt;</c>, <c>token:&lt;id&gt;</c>, <c>operator</c> or <c>system</c>.</summary>
    public string Actor { get; set; } = "";

    /// <summary>A readable name for the actor: the user's email or the token's name.</summary>
    public string? ActorName { get; set; }

    public string Action { get; set; } = "";

    /// <summary>What was acted on, as <c>kind:id</c> (for example <c>user:…</c>, <c>channel:…</c>).</summary>
    public string? Target { get; set; }

    /// <summary>Small JSON object with the facts of the change (old and new role, scopes…).</summary>
    public string? Detail { get; set; }

    public string? IpAddress { get; set; }

    /// <summary>Keyed digest of <see cref="ActorName"/>, hashed in its place, so the name can be removed and the chain still verifies (ADR 0039).</summary>
    public byte[]? ActorNameDigest { get; set; }

    /// <summary>Keyed digest of <see cref="IpAddress"/>, hashed in its place (ADR 0039).</summary>
    public byte[]? IpAddressDigest { get; set; }

    public byte[] PreviousHash { get; set; } = [];

    public byte[] Hash { get; set; } = [];
}

/// <summary>The head of a chain: the last sequence and hash. Its row is locked while an entry is appended.</summary>
[NoTenantForeignKey]
internal sealed class AuditChain
{
    public Guid TenantId { get; set; }

    public long LastSequence { get; set; }

    public byte[] LastHash { get; set; } = [];

    /// <summary>Entries up to this sequence were removed by retention; verification starts after it (ADR 0032).</summary>
    public long PrunedThroughSequence { get; set; }

    /// <summary>The hash of the last removed entry, which the first kept entry links to.</summary>
    public byte[]? PrunedThroughHash { get; set; }

    /// <summary>HMAC over this head's state with a key from the master key, outside the database (ADR 0039).</summary>
    public byte[]? Anchor { get; set; }

    /// <summary>The master key the anchor's key comes from.</summary>
    public string? AnchorKeyId { get; set; }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.ToTable("AuditEntries");
        builder.HasKey(e => new { e.TenantId, e.Sequence });
        builder.HasIndex(e => new { e.TenantId, e.Id }).IsUnique();
        builder.HasIndex(e => new { e.TenantId, e.Action, e.Sequence });
        builder.Property(e => e.Actor).HasMaxLength(100);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.Target).HasMaxLength(200);
        builder.Property(e => e.Detail).HasMaxLength(2000);
        builder.Property(e => e.IpAddress).HasMaxLength(64);
    }
}

internal sealed class AuditChainConfiguration : IEntityTypeConfiguration<AuditChain>
{
    public void Configure(EntityTypeBuilder<AuditChain> builder)
    {
        builder.ToTable("AuditChains");
        builder.HasKey(c => c.TenantId);
        builder.Property(c => c.PrunedThroughSequence).HasDefaultValue(0L);
        builder.Property(c => c.AnchorKeyId).HasMaxLength(32);
    }
}
