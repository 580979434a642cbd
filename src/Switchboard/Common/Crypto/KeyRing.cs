using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;

namespace Switchboard.Common.Crypto;

/// <summary>
/// Hands out unwrapped tenant keys. Unwrapped keys are cached briefly in memory so that the hot paths
/// do not read and unwrap on every seal; erasing or rotating a key on any node drops the cache entries
/// of that tenant on every node at once (ADR 0056).
/// </summary>
internal sealed class KeyRing
{
    /// <summary>The <see cref="CacheInvalidation"/> topic of tenant keys.</summary>
    public const string Topic = "tenant-keys";
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(Guid Tenant, string Purpose, int Version), CachedKey> cache = new();
    private readonly ConcurrentDictionary<(Guid Tenant, string Purpose), CachedVersion> currentVersions = new();
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly MasterKeyRing masterKeys;
    private readonly TimeProvider clock;
    private readonly CacheInvalidation invalidation;

    public KeyRing(IDbContextFactory<SwitchboardDbContext> dbFactory, MasterKeyRing masterKeys, TimeProvider clock, CacheInvalidation invalidation)
    {
        this.dbFactory = dbFactory;
        this.masterKeys = masterKeys;
        this.clock = clock;
        this.invalidation = invalidation;
        invalidation.On(Topic, ForgetHere);
    }

    /// <summary>Creates the first data key and the blind-index key of a new tenant, to be saved with it.</summary>
    public IEnumerable<TenantKey> NewTenantKeys(Guid tenantId)
    {
        var now = clock.GetUtcNow();
        foreach (var purpose in new[] { TenantKey.DataPurpose, TenantKey.IndexPurpose })
        {
            var key = new TenantKey { TenantId = tenantId, Purpose = purpose, Version = 1, CreatedAt = now, MasterKeyId = masterKeys.CurrentId };
            var plain = SealedBox.NewKey();
            key.WrappedKey = masterKeys.Wrap(plain, key.WrapContext);
            CryptographicOperations.ZeroMemory(plain);
            yield return key;
        }
    }

    /// <summary>The tenant's current data key (the highest version that has not been destroyed).</summary>
    public async ValueTask<DataKey> CurrentDataKeyAsync(Guid tenantId, CancellationToken ct)
    {
        var version = await CurrentVersionAsync(tenantId, TenantKey.DataPurpose, ct);
        return await GetAsync(tenantId, TenantKey.DataPurpose, version, ct);
    }

    public ValueTask<DataKey> DataKeyAsync(Guid tenantId, int version, CancellationToken ct) =>
        GetAsync(tenantId, TenantKey.DataPurpose, version, ct);

    public async ValueTask<DataKey> IndexKeyAsync(Guid tenantId, CancellationToken ct) =>
        await GetAsync(tenantId, TenantKey.IndexPurpose, 1, ct);

    /// <summary>
    /// Adds a new data key version to the caller's unit of work (new seals use it once committed; older versions stay to
    /// open older data), so the rotation and its audit entry commit together; call <see cref="VersionChanged"/> after the commit.
    /// </summary>
    public async Task<int> AddDataKeyVersionAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var latest = await db.TenantKeys
            .Where(k => k.TenantId == tenantId && k.Purpose == TenantKey.DataPurpose)
            .MaxAsync(k => (int?)k.Version, ct) ?? 0;
        var key = new TenantKey { TenantId = tenantId, Purpose = TenantKey.DataPurpose, Version = latest + 1, CreatedAt = clock.GetUtcNow(), MasterKeyId = masterKeys.CurrentId };
        var plain = SealedBox.NewKey();
        key.WrappedKey = masterKeys.Wrap(plain, key.WrapContext);
        CryptographicOperations.ZeroMemory(plain);
        db.TenantKeys.Add(key);
        return key.Version;
    }

    /// <summary>Drops every node's cached current version after a rotation committed.</summary>
    public void VersionChanged(Guid tenantId) => invalidation.Publish(Topic, tenantId);

    /// <summary>Crypto-erases a whole tenant: every key version is overwritten, so nothing it sealed can be opened.</summary>
    public async Task DestroyTenantKeysAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var keys = await db.TenantKeys.IgnoreQueryFilters().Where(k => k.TenantId == tenantId).ToListAsync(ct);
        foreach (var key in keys)
        {
            key.WrappedKey = null;
            key.MasterKeyId = null;
            key.DestroyedAt ??= now;
        }

        Forget(tenantId);
    }

    /// <summary>Raised when a tenant's cached keys are dropped (null: every tenant's), so caches of keys wrapped by them go too.</summary>
    public event Action<Guid?>? TenantForgotten;

    /// <summary>Drops the tenant's cached keys on every node.</summary>
    public void Forget(Guid tenantId) => invalidation.Publish(Topic, tenantId);

    private void ForgetHere(Guid? tenantId)
    {
        // Cached material is not zeroed here: another request may be sealing with it right now.
        foreach (var entry in cache.Keys.Where(k => tenantId is null || k.Tenant == tenantId))
        {
            cache.TryRemove(entry, out _);
        }

        foreach (var entry in currentVersions.Keys.Where(k => tenantId is null || k.Tenant == tenantId))
        {
            currentVersions.TryRemove(entry, out _);
        }

        TenantForgotten?.Invoke(tenantId);
    }

    private async ValueTask<int> CurrentVersionAsync(Guid tenantId, string purpose, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (currentVersions.TryGetValue((tenantId, purpose), out var cached) && cached.Expires > now)
        {
            return cached.Version;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var version = await db.TenantKeys
            .Where(k => k.TenantId == tenantId && k.Purpose == purpose && k.WrappedKey != null)
            .MaxAsync(k => (int?)k.Version, ct) ?? throw new KeyDestroyedException($"Tenant {tenantId} has no usable {purpose} key.");
        currentVersions[(tenantId, purpose)] = new CachedVersion(version, now + CacheLifetime);
        return version;
    }

    private async ValueTask<DataKey> GetAsync(Guid tenantId, string purpose, int version, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue((tenantId, purpose, version), out var cached) && cached.Expires > now)
        {
            return cached.Key;
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.TenantKeys.AsNoTracking()
            .SingleOrDefaultAsync(k => k.TenantId == tenantId && k.Purpose == purpose && k.Version == version, ct);
        if (row?.WrappedKey is null || row.MasterKeyId is null)
        {
            throw new KeyDestroyedException($"Key {purpose} v{version} of tenant {tenantId} does not exist or was erased.");
        }

        var key = new DataKey(version, masterKeys.Unwrap(row.MasterKeyId, row.WrappedKey, row.WrapContext));
        cache[(tenantId, purpose, version)] = new CachedKey(key, now + CacheLifetime);
        return key;
    }

    private sealed record CachedKey(DataKey Key, DateTimeOffset Expires);

    private sealed record CachedVersion(int Version, DateTimeOffset Expires);
}

/// <summary>An unwrapped 256-bit key and the version it is stored under.</summary>
internal sealed record DataKey(int Version, byte[] Material);
