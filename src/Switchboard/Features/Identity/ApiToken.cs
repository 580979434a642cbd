using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Identity;

/// <summary>
/// A bearer token of a tenant. Only a SHA-256 of the token is stored: tokens are 256-bit random values,
/// so a fast hash is enough, and a lookup by hash needs no per-row salt.
/// </summary>
internal sealed class ApiToken
{
    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public ApiTokenKind Kind { get; set; }

    /// <summary>Space-separated scopes; <c>*</c> grants everything the tenant admin may do.</summary>
    public string Scopes { get; set; } = "";

    public byte[] TokenHash { get; set; } = [];

    /// <summary>The first characters of the token, enough for a person to recognise it.</summary>
    public string Prefix { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>The user a personal token acts for (its power follows that user's current role).</summary>
    public Guid? UserId { get; set; }

    /// <summary>The actor who created it (audit form: <c>user:…</c>, <c>token:…</c>, <c>operator</c>).</summary>
    public string? CreatedBy { get; set; }
}

internal enum ApiTokenKind
{
    TenantAdmin,
    Integration,
    Personal,
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("ApiTokens");
        builder.HasKey(t => new { t.TenantId, t.Id });
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Kind).HasConversion<LowercaseEnumConverter<ApiTokenKind>>().HasMaxLength(16);
        builder.Property(t => t.Scopes).HasMaxLength(1000);
        builder.Property(t => t.Prefix).HasMaxLength(16);
        builder.Property(t => t.CreatedBy).HasMaxLength(100);
        builder.HasIndex(t => t.TokenHash).IsUnique();
        // No foreign key to Users: SQLite cannot add one to an existing table; tokens of a removed user are deleted with it.
        builder.HasIndex(t => t.UserId);
    }
}
