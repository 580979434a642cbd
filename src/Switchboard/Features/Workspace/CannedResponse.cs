using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Workspace;

/// <summary>
/// A reply an agent inserts by its shortcut (<c>/refund</c>). Shared by the tenant (managed with
/// <c>canned:manage</c>) or personal to one user; shortcuts are unique in the tenant either way (ADR 0024).
/// </summary>
internal sealed class CannedResponse
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    /// <summary>Lower case letters, digits, <c>-</c> and <c>_</c>.</summary>
    public string Shortcut { get; set; } = "";

    /// <summary>May hold <c>{{contact.name}}</c> and <c>{{agent.name}}</c>, filled in when inserted (<see cref="CannedText"/>).</summary>
    public string Text { get; set; } = "";

    /// <summary>The user a personal canned response belongs to; null for the tenant's shared ones.</summary>
    public Guid? OwnerUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class CannedResponseConfiguration : IEntityTypeConfiguration<CannedResponse>
{
    public void Configure(EntityTypeBuilder<CannedResponse> builder)
    {
        builder.ToTable("CannedResponses");
        builder.HasKey(c => new { c.TenantId, c.Id });
        builder.Property(c => c.Shortcut).HasMaxLength(32);
        builder.Property(c => c.Text).HasMaxLength(4096);
        builder.HasIndex(c => new { c.TenantId, c.Shortcut }).IsUnique();
    }
}
