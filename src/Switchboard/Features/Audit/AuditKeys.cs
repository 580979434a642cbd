using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Audit;

/// <summary>
/// Keys the audit chain takes from the master key, which lives outside the database (ADR 0039): the keyed anchor
/// over each chain's head, and the keyed digests that stand for an actor's name and address in the hash.
/// </summary>
internal sealed class AuditKeys(MasterKeyRing masterKeys)
{
    private const string AnchorPurpose = "switchboard/audit-anchor";
    private const string PseudonymPurpose = "switchboard/audit-pseudonym";
    private readonly ConcurrentDictionary<(string KeyId, string Purpose), byte[]> derived = new();

    public string CurrentId => masterKeys.CurrentId;

    /// <summary>HMAC over the tenant and a value (an actor's name or address), so the chain commits to it without holding it.</summary>
    public byte[] Digest(Guid tenantId, string kind, string value) =>
        HMACSHA256.HashData(Key(masterKeys.CurrentId, PseudonymPurpose), Encoding.UTF8.GetBytes($"{tenantId:D}\n{kind}\n{value}"));

    /// <summary>The anchor of a head state, under the named master key.</summary>
    public byte[] Anchor(string keyId, Guid tenantId, long lastSequence, byte[] lastHash, long prunedSequence, byte[]? prunedHash)
    {
        var buffer = new byte[16 + 8 + 32 + 8 + 32];
        tenantId.TryWriteBytes(buffer);
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(16), lastSequence);
        lastHash.AsSpan(0, Math.Min(32, lastHash.Length)).CopyTo(buffer.AsSpan(24));
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(56), prunedSequence);
        (prunedHash ?? []).AsSpan(0, Math.Min(32, prunedHash?.Length ?? 0)).CopyTo(buffer.AsSpan(64));
        return HMACSHA256.HashData(Key(keyId, AnchorPurpose), buffer);
    }

    /// <summary>Whether the head carries a valid anchor for its state; a head without one was written by someone without the key.</summary>
    public bool IsAnchored(Guid tenantId, long lastSequence, byte[] lastHash, long prunedSequence, byte[]? prunedHash, string? keyId, byte[]? anchor)
    {
        return anchor is not null && keyId is not null && masterKeys.KnownIds.Contains(keyId)
            && CryptographicOperations.FixedTimeEquals(anchor, Anchor(keyId, tenantId, lastSequence, lastHash, prunedSequence, prunedHash));
    }

    /// <summary>The keys of the application the context was made by (contexts come from its factory).</summary>
    public static AuditKeys Of(SwitchboardDbContext db) =>
        db.ApplicationService<AuditKeys>()
        ?? throw new InvalidOperationException("The audit log needs a context made by the application's factory (its keys come from the master key).");

    private byte[] Key(string keyId, string purpose) => derived.GetOrAdd((keyId, purpose), k => masterKeys.DeriveKey(k.KeyId, k.Purpose));
}
