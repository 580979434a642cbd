using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Privacy;

/// <summary>
/// A tenant's export signing key (ECDSA P-256): the public key in the clear (published by the API), the
/// private key sealed with the tenant data key like the tenant's other secrets (ADR 0003, 0026).
/// </summary>
internal sealed class ExportSigningKey
{
    public const string Table = "ExportSigningKeys";
    public const string Algorithm = "ECDSA-P256-SHA256";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    /// <summary>SubjectPublicKeyInfo (DER).</summary>
    public byte[] PublicKey { get; set; } = [];

    /// <summary>PKCS#8 (DER), sealed with the tenant data key.</summary>
    public byte[] PrivateKey { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public SealContext PrivateKeyContext => new(TenantId, Table, Id, nameof(PrivateKey));
}

internal sealed class ExportSigningKeyConfiguration : IEntityTypeConfiguration<ExportSigningKey>
{
    public void Configure(EntityTypeBuilder<ExportSigningKey> builder)
    {
        builder.ToTable(ExportSigningKey.Table);

        // One key per tenant today; the id in every manifest leaves room for rotation.
        builder.HasKey(k => k.TenantId);
        builder.Ignore(k => k.PrivateKeyContext);
    }
}
