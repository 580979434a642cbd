using System.Text.Json.Nodes;

namespace Switchboard.Features.Audit;

/// <summary>
/// An audit chain as the API shows it: a tenant's own (members with <c>audit:read</c>) or the platform's
/// (operator). See ListAudit (newest first, keyset paging by sequence, filters by action, actor and time) and VerifyAudit.
/// </summary>
internal static class AuditApi
{
    public sealed record Item(
        Guid Id, DateTimeOffset At, string Actor, string? ActorName, string Action, string? Target, JsonObject? Detail, string? IpAddress, long Sequence);

    public sealed record ValidResponse(bool Valid, long CheckedEntries);

    public sealed record BrokenResponse(bool Valid, Guid? FirstBrokenEntryId, long CheckedEntries, string? Reason);
}
