using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Privacy;

/// <summary>Creates a tenant's signing key on first use, signs manifests with it, and hands out its public half (ADR 0026).</summary>
internal sealed class ExportSigningKeys(IDbContextFactory<SwitchboardDbContext> dbFactory, KeyRing keyRing, TimeProvider clock)
{
    public async Task<ExportSigningKey> PublicKeyOfAsync(Guid tenantId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ExportSigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.TenantId == tenantId, ct)
            ?? await CreateAsync(db, tenantId, ct);
    }

    /// <summary>Signs <paramref name="payload"/> with the tenant's key; returns the key row (public half) and the signature (IEEE P1363).</summary>
    public async Task<(ExportSigningKey Key, byte[] Signature)> SignAsync(Guid tenantId, byte[] payload, CancellationToken ct)
    {
        var key = await PublicKeyOfAsync(tenantId, ct);
        var tenantKey = await keyRing.DataKeyAsync(tenantId, SealedBox.KeyVersionOf(key.PrivateKey), ct);
        var pkcs8 = Sealer.Open(tenantKey, key.PrivateKeyContext, key.PrivateKey);
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return (key, ecdsa.SignData(payload, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    private async Task<ExportSigningKey> CreateAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var key = new ExportSigningKey { TenantId = tenantId, Id = Guid.CreateVersion7(now), PublicKey = ecdsa.ExportSubjectPublicKeyInfo(), CreatedAt = now };
        var pkcs8 = ecdsa.ExportPkcs8PrivateKey();
        key.PrivateKey = Sealer.Seal(await keyRing.CurrentDataKeyAsync(tenantId, ct), key.PrivateKeyContext, pkcs8);
        CryptographicOperations.ZeroMemory(pkcs8);
        db.ExportSigningKeys.Add(key);
        try
        {
            await db.SaveChangesAsync(ct);
            return key;
        }
        catch (DbUpdateException)
        {
            // Another request created it first: use that one.
            db.ChangeTracker.Clear();
            return await db.ExportSigningKeys.AsNoTracking().FirstAsync(k => k.TenantId == tenantId, ct);
        }
    }
}
