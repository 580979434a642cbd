using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;

namespace Switchboard.Features.Workspace;

/// <summary>
/// Canned responses as the API shows them, and what their use cases share: who may see and change
/// which (ADR 0024). Shared ones: everyone in the tenant reads them, <c>canned:manage</c> changes them.
/// Personal ones: only their owner sees and changes them; to anyone else they do not exist (404).
/// </summary>
internal static class CannedResponsesApi
{
    public const int MaxPerTenant = 1000;

    public sealed record CannedRequest(
        [property: Required, RegularExpression("^[A-Za-z0-9_-]{1,32}$", ErrorMessage = "1 to 32 letters, digits, - or _.")] string? Shortcut,
        [property: Required, StringLength(4096, MinimumLength = 1)] string? Text,
        bool? Personal);

    public sealed record Item(Guid Id, string Shortcut, string Text, bool Personal, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static Item ToItem(CannedResponse c) => new(c.Id, c.Shortcut, c.Text, c.OwnerUserId is not null, c.CreatedAt, c.UpdatedAt);

    /// <summary>The canned responses <paramref name="caller"/> can see: the tenant's and the caller's own.</summary>
    public static IQueryable<CannedResponse> VisibleTo(SwitchboardDbContext db, Guid tenantId, ClaimsPrincipal caller)
    {
        var user = caller.UserIdOf();
        return db.CannedResponses.Where(c => c.TenantId == tenantId && (c.OwnerUserId == null || c.OwnerUserId == user));
    }

    /// <summary>Null when the caller may change it (personal: its owner; shared: <c>canned:manage</c>).</summary>
    public static Failure? MayChange(ClaimsPrincipal caller, bool personal) =>
        personal || caller.HasScope(Permissions.CannedManage)
            ? null
            : Failure.Forbidden("Changing the tenant's canned responses needs canned:manage; a personal one (\"personal\": true) does not.", [Permissions.CannedManage]);

    /// <summary>The checked fields, or the field errors.</summary>
    public static Failure? Check(CannedRequest request, out string shortcut, out string text)
    {
        shortcut = request.Shortcut!.ToLowerInvariant();
        text = request.Text!;
        return string.IsNullOrWhiteSpace(text) ? Failure.Invalid("text", "Must not be blank.") : null;
    }

    public static Task<bool> ShortcutTakenAsync(SwitchboardDbContext db, Guid tenantId, string shortcut, Guid except, CancellationToken ct) =>
        db.CannedResponses.AnyAsync(c => c.TenantId == tenantId && c.Shortcut == shortcut && c.Id != except, ct);

    public static Failure Taken() => Failure.Conflict("This shortcut is taken in this tenant.");
}
