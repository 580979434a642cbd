using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Mail;

namespace Switchboard.Features.Privacy;

internal sealed record DataRightsRequestUpdate(string? Status, string? Reason, UpdateContact.Request? Rectification);

/// <summary>
/// Moves a data-rights request on. Completing it carries out the existing action for its type (an export for access,
/// the contact update for rectification, the crypto-erase for erasure, the restriction flag for restriction and
/// objection), then confirms it to the requester by e-mail when an address is known; the record keeps ids only (ADR 0032).
/// </summary>
internal static class UpdateDataRightsRequest
{
    public static readonly string[] Reasons = ["identity_not_verified", "manifestly_unfounded", "excessive", "other"];

    /// <summary>The services completing a request may need.</summary>
    internal sealed record Services(
        SwitchboardDbContext Db, Sealer Sealer, ErasureSteps Erasure, ExportSignal Exports, MailQueue Mail, ContactDirectory Directory, PrivacyOptions Options, TimeProvider Clock);

    public static async Task<Results<Ok<DataRightsRequestResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid requestId, DataRightsRequestUpdate body, SwitchboardDbContext db, Sealer sealer, ErasureSteps erasure, ExportSignal exports,
        MailQueue mail, ContactDirectory directory, IOptions<PrivacyOptions> options, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        await UpdateAsync(tenantId, requestId, body, new Services(db, sealer, erasure, exports, mail, directory, options.Value, clock), http.User, AuditActor.From(http), ct) switch
        {
            { Value: { } response } => TypedResults.Ok(response),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<DataRightsRequestResponse>> UpdateAsync(
        Guid tenantId, Guid requestId, DataRightsRequestUpdate body, Services s, System.Security.Claims.ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        var db = s.Db;
        var request = await db.DataRightsRequests.FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == requestId, ct);
        if (request is null)
        {
            return Failure.NotFound();
        }

        if (body.Status is not (DataRightsRequests.InProgress or DataRightsRequests.Completed or DataRightsRequests.Rejected))
        {
            return Failure.Invalid("status", "One of: in_progress, completed, rejected.");
        }

        if (body.Status == DataRightsRequests.Rejected && (body.Reason is null || !Reasons.Contains(body.Reason, StringComparer.Ordinal)))
        {
            return Failure.Invalid("reason", $"Why it is rejected, one of: {string.Join(", ", Reasons)}.");
        }

        if (body.Rectification is not null && (body.Status != DataRightsRequests.Completed || request.Type != "rectification"))
        {
            return Failure.Invalid("rectification", "Only when completing a rectification request.");
        }

        if (!DataRightsRequests.IsOpen(request.Status))
        {
            return Failure.Conflict("This request is closed.", $"It was {request.Status}.");
        }

        var now = s.Clock.GetUtcNow();
        if (body.Status == DataRightsRequests.Completed && await FulfilAsync(request, body, s, caller, actor, ct) is { } refused)
        {
            return refused;
        }

        db.ChangeTracker.Clear();
        request = await db.DataRightsRequests.FirstAsync(r => r.TenantId == tenantId && r.Id == requestId, ct);
        var requester = await DataRightsRequests.OpenRequesterAsync(s.Sealer, request, ct);
        request.Status = body.Status;
        request.Reason = body.Status == DataRightsRequests.Rejected ? body.Reason : null;
        var closing = body.Status != DataRightsRequests.InProgress;
        if (closing)
        {
            request.CompletedAt = now;
            if (requester.Email is { } email)
            {
                request.ConfirmationQueued = await s.Mail.EnqueueAsync(db, tenantId, "privacy-request", email, Subject(request), Body(request), ct);
            }
        }

        if (body.Status == DataRightsRequests.Completed && request.Type is "restriction" or "objection" && request.ContactId is { } contactId
            && await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct))
        {
            await ContactRestrictions.SetAsync(db, tenantId, contactId, minor: null, restricted: true, now, ct);
        }

        var action = body.Status == DataRightsRequests.Completed ? PrivacyAudit.RequestCompleted : PrivacyAudit.RequestUpdated;
        await AuditLog.RecordAsync(db, tenantId, actor, action, $"privacy_request:{request.Id}",
            new { request.Type, request.Status, request.ContactId, request.ExportId, request.Reason, confirmation = request.ConfirmationQueued }, now, ct);
        if (request.ConfirmationQueued)
        {
            s.Mail.Wake();
        }

        return DataRightsRequests.ToResponse(request, requester, s.Options, now);
    }

    /// <summary>Carries out the request's action before it is marked completed; a refusal leaves the request as it was.</summary>
    private static async Task<Failure?> FulfilAsync(
        DataRightsRequest request, DataRightsRequestUpdate body, Services s, System.Security.Claims.ClaimsPrincipal caller, AuditActor actor, CancellationToken ct)
    {
        var (db, tenantId) = (s.Db, request.TenantId);
        var contactId = request.ContactId;
        var exists = contactId is { } id && await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == id && c.DataKey != null, ct);
        switch (request.Type)
        {
            case "access":
                if (!caller.HasScope(Permissions.PrivacyExport))
                {
                    return Failure.Forbidden("Completing an access request makes an export.", [Permissions.PrivacyExport]);
                }

                if (!exists)
                {
                    return Failure.Conflict("The contact no longer exists: there is nothing to export.", "Reject the request with a reason instead.");
                }

                var export = await CreateExport.RequestAsync(tenantId, contactId, db, s.Exports, actor, s.Clock, ct);
                if (export.Value is not { } made)
                {
                    return export.Failure;
                }

                await db.DataRightsRequests.Where(r => r.TenantId == tenantId && r.Id == request.Id).ExecuteUpdateAsync(u => u.SetProperty(r => r.ExportId, made.Id), ct);
                return null;

            case "erasure":
                if (!caller.HasScope(Permissions.PrivacyErase))
                {
                    return Failure.Forbidden("Completing an erasure request erases the contact.", [Permissions.PrivacyErase]);
                }

                // A contact already gone was erased by an earlier attempt or by hand: the request is fulfilled.
                return exists ? await EraseContact.EraseAsync(tenantId, contactId!.Value, db, s.Erasure, actor, s.Clock, ct) : null;

            case "rectification" when body.Rectification is { } change:
                if (!exists)
                {
                    return Failure.Conflict("The contact no longer exists: there is nothing to rectify.");
                }

                var updated = await UpdateContact.UpdateAsync(tenantId, contactId!.Value, change, db, s.Directory, s.Clock, null, ct);
                return updated.Failure is { IsInvalid: true } invalid
                    ? Failure.Invalid(invalid.Errors!.ToDictionary(e => $"rectification.{e.Key}", e => e.Value))
                    : updated.Failure;

            default:
                return null;
        }
    }

    private static string Subject(DataRightsRequest r) => $"Your {r.Type} request has been {(r.Status == DataRightsRequests.Completed ? "completed" : "answered")}";

    private static string Body(DataRightsRequest r)
    {
        var received = r.ReceivedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (r.Status == DataRightsRequests.Completed && r.Type == "erasure")
        {
            return $"Your erasure request received on {received} was completed on {r.CompletedAt:yyyy-MM-dd}: the data held about you was "
                + $"deleted and its key destroyed, so no copy of it, backups included, can be read any more.\n\nReference: {r.Id}\n";
        }

        return r.Status == DataRightsRequests.Completed
            ? $"Your {r.Type} request received on {received} was completed on {r.CompletedAt:yyyy-MM-dd}.\n\nReference: {r.Id}\n"
            : $"Your {r.Type} request received on {received} was declined on {r.CompletedAt:yyyy-MM-dd} ({r.Reason?.Replace('_', ' ')}).\n\nReference: {r.Id}\n";
    }
}
