using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Tenants;

/// <summary>Operator view of master-key rotation: how many tenant keys each master key still wraps.</summary>
internal static class MasterKeyStatus
{
    public sealed record Response(string CurrentMasterKeyId, IReadOnlyDictionary<string, int> TenantKeysByMasterKey, int PendingRewrap);

    public static async Task<Response> HandleAsync(SwitchboardDbContext db, MasterKeyRing masterKeys, CancellationToken ct)
    {
        var counts = await db.TenantKeys
            .Where(k => k.MasterKeyId != null)
            .GroupBy(k => k.MasterKeyId!)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var pending = counts.Where(c => c.Key != masterKeys.CurrentId).Sum(c => c.Value);
        return new Response(masterKeys.CurrentId, counts, pending);
    }

    public static async Task<Response> RewrapAsync(
        SwitchboardDbContext db, MasterKeyRing masterKeys, MasterKeyRewrapper rewrapper, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        // Each batch commits with its own entry (ADR 0039).
        var actor = AuditActor.From(http);
        var done = await rewrapper.RewrapAllAsync(ct, (batchDb, masterKeyId, rewrapped, batchCt) => AuditLog.RecordAsync(
            batchDb, AuditLog.PlatformChain, actor, AuditActions.MasterKeyRewrap, null, new { masterKeyId, rewrapped }, clock.GetUtcNow(), batchCt));
        if (done == 0)
        {
            // Nothing was left to re-wrap: the request is still on record.
            await AuditLog.RecordAsync(db, AuditLog.PlatformChain, actor, AuditActions.MasterKeyRewrap, null,
                new { masterKeyId = masterKeys.CurrentId, rewrapped = 0 }, clock.GetUtcNow(), ct);
        }

        return await HandleAsync(db, masterKeys, ct);
    }
}
