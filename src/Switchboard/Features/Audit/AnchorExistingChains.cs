using Switchboard.Common.Persistence;
using Switchboard.Common.Persistence.Migrations;

namespace Switchboard.Features.Audit;

/// <summary>Anchors the chains that existed before anchors did, once, as the upgrade adds the column (ADR 0039).</summary>
internal sealed class AnchorExistingChains(AuditKeys keys) : IMigrationFollowUp
{
    public string Migration => AccessLogAndMinimisation.Id;

    public Task RunAsync(SwitchboardDbContext db, CancellationToken ct) => AuditLog.AnchorExistingAsync(db, keys, ct);
}
