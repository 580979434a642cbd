using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Audit;

/// <summary>The start-up re-wrap of tenant keys, recorded on the platform chain as the system, batch by batch in its transaction.</summary>
internal sealed class AuditedRewrap(TimeProvider clock) : IMasterKeyRewrapRecorder
{
    public Task RecordBatchAsync(SwitchboardDbContext db, string masterKeyId, int rewrapped, CancellationToken ct) =>
        AuditLog.RecordAsync(db, AuditLog.PlatformChain, AuditActor.System, AuditActions.MasterKeyRewrap, null, new { masterKeyId, rewrapped }, clock.GetUtcNow(), ct);
}
