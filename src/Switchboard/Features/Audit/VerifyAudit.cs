using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using static Switchboard.Features.Audit.AuditApi;

namespace Switchboard.Features.Audit;

/// <summary>Recomputes an audit chain's hashes: valid, or the first entry that breaks it.</summary>
internal static class VerifyAudit
{
    public static Task<Results<Ok<ValidResponse>, Ok<BrokenResponse>>> VerifyTenantAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        OverHttpAsync(db, tenantId, ct);

    public static Task<Results<Ok<ValidResponse>, Ok<BrokenResponse>>> VerifyPlatformAsync(SwitchboardDbContext db, CancellationToken ct) =>
        OverHttpAsync(db, AuditLog.PlatformChain, ct);

    private static async Task<Results<Ok<ValidResponse>, Ok<BrokenResponse>>> OverHttpAsync(SwitchboardDbContext db, Guid chain, CancellationToken ct)
    {
        var result = await AuditLog.VerifyAsync(db, chain, ct);
        return result.Valid
            ? TypedResults.Ok(new ValidResponse(true, result.CheckedEntries))
            : TypedResults.Ok(new BrokenResponse(false, result.FirstBrokenEntryId, result.CheckedEntries, result.Reason));
    }
}
