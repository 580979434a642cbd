using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using static Switchboard.Features.Workspace.CannedResponsesApi;

namespace Switchboard.Features.Workspace;

/// <summary>List, read, create, change and delete canned responses; the same calls serve the API and the dashboard.</summary>
internal static class CannedResponses
{
    public static async Task<Ok<Page<Item>>> ListAsync(Guid tenantId, SwitchboardDbContext db, HttpContext http, CancellationToken ct) =>
        TypedResults.Ok(new Page<Item>(await ListOfAsync(db, tenantId, http.User, ct), null));

    public static async Task<IReadOnlyList<Item>> ListOfAsync(SwitchboardDbContext db, Guid tenantId, ClaimsPrincipal caller, CancellationToken ct) =>
        [.. (await VisibleTo(db, tenantId, caller).AsNoTracking().OrderBy(c => c.Shortcut).Take(MaxPerTenant).ToListAsync(ct)).Select(ToItem)];

    public static async Task<Results<Ok<Item>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid cannedResponseId, SwitchboardDbContext db, HttpContext http, CancellationToken ct) =>
        await VisibleTo(db, tenantId, http.User).AsNoTracking().FirstOrDefaultAsync(c => c.Id == cannedResponseId, ct) is { } found
            ? TypedResults.Ok(ToItem(found))
            : Problems.NotFound();

    public static async Task<Results<Created<Item>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, CannedRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        OutcomeResults.Created(
            await CreateOfAsync(db, tenantId, request, http.User, AuditActor.From(http), clock.GetUtcNow(), ct),
            created => $"/api/v1/tenants/{tenantId}/canned-responses/{created.Id}",
            created => created);

    public static async Task<Outcome<Item>> CreateOfAsync(
        SwitchboardDbContext db, Guid tenantId, CannedRequest request, ClaimsPrincipal caller, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        if (Check(request, out var shortcut, out var text) is { } invalid)
        {
            return invalid;
        }

        var personal = request.Personal is true;
        if (personal && caller.UserIdOf() is null)
        {
            return Failure.Invalid("personal", "Only a user (signed in, or with a personal token) has personal canned responses.");
        }

        if (MayChange(caller, personal) is { } forbidden)
        {
            return forbidden;
        }

        if (await db.CannedResponses.CountAsync(c => c.TenantId == tenantId, ct) >= MaxPerTenant)
        {
            return Failure.Conflict($"A tenant has at most {MaxPerTenant} canned responses.");
        }

        var canned = new CannedResponse
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            Shortcut = shortcut,
            Text = text,
            OwnerUserId = personal ? caller.UserIdOf() : null,
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (await ShortcutTakenAsync(db, tenantId, shortcut, canned.Id, ct))
        {
            return Taken();
        }

        db.CannedResponses.Add(canned);
        return await SaveAsync(db, tenantId, actor, AuditActions.CannedResponseCreated, canned, now, ct);
    }

    public static async Task<Results<Ok<Item>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid cannedResponseId, CannedRequest request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        OutcomeResults.Ok(await UpdateOfAsync(db, tenantId, cannedResponseId, request, http.User, AuditActor.From(http), clock.GetUtcNow(), ct), updated => updated);

    /// <summary>Changes shortcut and text; whether it is personal stays as it was.</summary>
    public static async Task<Outcome<Item>> UpdateOfAsync(
        SwitchboardDbContext db, Guid tenantId, Guid id, CannedRequest request, ClaimsPrincipal caller, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var found = await VisibleTo(db, tenantId, caller).FindChangeableAsync(c => c.Id == id, c => MayChange(caller, c.OwnerUserId is not null), ct);
        if (found.Value is not { } canned)
        {
            return found.Failure!;
        }

        if (Check(request, out var shortcut, out var text) is { } invalid)
        {
            return invalid;
        }

        if (await ShortcutTakenAsync(db, tenantId, shortcut, canned.Id, ct))
        {
            return Taken();
        }

        canned.Shortcut = shortcut;
        canned.Text = text;
        canned.UpdatedAt = now;
        return await SaveAsync(db, tenantId, actor, AuditActions.CannedResponseUpdated, canned, now, ct);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, Guid cannedResponseId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        OutcomeResults.NoContent(await DeleteOfAsync(db, tenantId, cannedResponseId, http.User, AuditActor.From(http), clock.GetUtcNow(), ct));

    public static async Task<Failure?> DeleteOfAsync(SwitchboardDbContext db, Guid tenantId, Guid id, ClaimsPrincipal caller, AuditActor actor, DateTimeOffset now, CancellationToken ct)
    {
        var found = await VisibleTo(db, tenantId, caller).FindChangeableAsync(c => c.Id == id, c => MayChange(caller, c.OwnerUserId is not null), ct);
        if (found.Value is not { } canned)
        {
            return found.Failure;
        }

        db.CannedResponses.Remove(canned);
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.CannedResponseDeleted, $"canned_response:{canned.Id}", new { shortcut = canned.Shortcut, personal = canned.OwnerUserId is not null }, now, ct);
        return null;
    }

    private static async Task<Outcome<Item>> SaveAsync(SwitchboardDbContext db, Guid tenantId, AuditActor actor, string action, CannedResponse canned, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            // The text is the tenant's own wording, not customer data, but it stays out of the audit detail: the shortcut names it.
            await AuditLog.RecordAsync(db, tenantId, actor, action, $"canned_response:{canned.Id}", new { shortcut = canned.Shortcut, personal = canned.OwnerUserId is not null }, now, ct);
        }
        catch (DbUpdateException)
        {
            // Another request took the shortcut between the check and the insert (the unique index).
            return Taken();
        }

        return ToItem(canned);
    }
}
