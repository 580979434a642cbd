using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Audit;

/// <summary>Access-log settings (<c>Switchboard:Audit</c>).</summary>
internal sealed class AccessLogOptions
{
    /// <summary>One entry per person, action and target within this window (ADR 0039); 0 writes every access.</summary>
    public int AccessCoalesceMinutes { get; set; } = 15;
}

/// <summary>
/// Who opened which conversation, contact or media, in the audit trail, with ids only (ADR 0039). Opening is
/// coalesced: the first access of a person to a target writes an entry, repeats within the window do not, so
/// paging through a conversation or polling it costs no audit row; each node keeps its own window.
/// </summary>
internal sealed class AccessLog(IOptions<AccessLogOptions> options, TimeProvider clock)
{
    private const int SweepAbove = 50_000;
    private readonly Dictionary<(Guid Tenant, string Actor, string Action, string Target), DateTimeOffset> recent = [];
    private readonly Lock gate = new();

    /// <summary>Records an access unless this actor's same access to the same target was recorded within the window.</summary>
    public async Task OpenedAsync(SwitchboardDbContext db, Guid tenantId, AuditActor actor, string action, string target, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var window = TimeSpan.FromMinutes(Math.Max(0, options.Value.AccessCoalesceMinutes));
        var key = (tenantId, actor.Id, action, target);
        lock (gate)
        {
            if (recent.TryGetValue(key, out var at) && now - at < window)
            {
                return;
            }

            if (recent.Count > SweepAbove)
            {
                foreach (var old in recent.Where(r => now - r.Value >= window).Select(r => r.Key).ToList())
                {
                    recent.Remove(old);
                }
            }

            recent[key] = now;
        }

        try
        {
            await AuditLog.RecordAsync(db, tenantId, actor, action, target, null, now, ct);
        }
        catch
        {
            lock (gate)
            {
                recent.Remove(key);
            }

            throw;
        }
    }
}
