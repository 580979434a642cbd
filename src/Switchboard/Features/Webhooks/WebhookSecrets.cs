using System.Collections.Concurrent;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// The app secrets and verify tokens of a tenant's live (not revoked) channels, opened once and kept in
/// memory for a short while: the webhook hot path must not hit the database and unwrap keys per request.
/// Changing a channel on any node drops the entry at once (ADR 0056); the lifetime is the backstop.
/// </summary>
internal sealed class WebhookSecrets
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<Guid, Entry> cache = new();
    private readonly IDbContextFactory<SwitchboardDbContext> dbFactory;
    private readonly Sealer sealer;
    private readonly TimeProvider clock;
    private long generation;

    public WebhookSecrets(IDbContextFactory<SwitchboardDbContext> dbFactory, Sealer sealer, TimeProvider clock, ChannelChanges changes)
    {
        this.dbFactory = dbFactory;
        this.sealer = sealer;
        this.clock = clock;
        changes.Changed += tenantId =>
        {
            Interlocked.Increment(ref generation);
            if (tenantId is { } tenant)
            {
                cache.TryRemove(tenant, out _);
            }
            else
            {
                cache.Clear();
            }
        };
    }

    public async ValueTask<TenantWebhookSecrets> ForTenantAsync(Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue(tenantId, out var entry) && entry.Expires > now)
        {
            return entry.Secrets;
        }

        // A change heard while this read was under way may be newer than what it read: then it is not kept.
        var generation = Volatile.Read(ref this.generation);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.Status != ChannelStatus.Revoked)
            .ToListAsync(ct);
        var appSecrets = new List<byte[]>();
        var verifyTokens = new List<string>();
        foreach (var channel in channels)
        {
            appSecrets.Add(Encoding.UTF8.GetBytes(await sealer.OpenAsync(ChannelSecrets.AppSecretOf(channel), channel.AppSecret, ct)));
            verifyTokens.Add(await sealer.OpenAsync(ChannelSecrets.VerifyTokenOf(channel), channel.VerifyToken, ct));
        }

        var secrets = new TenantWebhookSecrets(appSecrets, verifyTokens);
        if (generation == Volatile.Read(ref this.generation))
        {
            cache[tenantId] = new Entry(secrets, now + Lifetime);
        }

        return secrets;
    }

    private sealed record Entry(TenantWebhookSecrets Secrets, DateTimeOffset Expires);
}

internal sealed record TenantWebhookSecrets(IReadOnlyList<byte[]> AppSecrets, IReadOnlyList<string> VerifyTokens);
