using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

internal sealed record Requester(string? Name, string? Email);

internal sealed record DataRightsRequestBody(string? Type, Guid? ContactId, Requester? Requester, DateTimeOffset? ReceivedAt);

internal sealed record DataRightsRequestResponse(
    Guid Id, string Type, Guid? ContactId, Requester Requester, DateTimeOffset ReceivedAt, DateTimeOffset DueAt, string Status, string? Warning,
    DateTimeOffset? CompletedAt, Guid? ExportId, string? Reason, bool ConfirmationEmailed, DateTimeOffset CreatedAt);

/// <summary>
/// Data-rights requests (ADR 0032): recorded with the requester (sealed), the contact, the day received and the 30-day
/// deadline; <see cref="UpdateDataRightsRequest"/> fulfils them; a job warns as the deadline nears.
/// </summary>
internal static class DataRightsRequests
{
    public static readonly TimeSpan Deadline = TimeSpan.FromDays(30);

    public static readonly string[] Types = ["access", "rectification", "erasure", "restriction", "objection"];

    public const string Received = "received";
    public const string InProgress = "in_progress";
    public const string Completed = "completed";
    public const string Rejected = "rejected";

    public static bool IsOpen(string status) => status is Received or InProgress;

    public static async Task<Results<Created<DataRightsRequestResponse>, ValidationProblem>> CreateAsync(
        Guid tenantId, DataRightsRequestBody body, SwitchboardDbContext db, Sealer sealer, IOptions<PrivacyOptions> options, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await RecordAsync(tenantId, body, db, sealer, options.Value, AuditActor.From(http), clock, ct);
        return outcome.Value is { } created
            ? TypedResults.Created($"/api/v1/tenants/{tenantId}/privacy/requests/{created.Id}", created)
            : outcome.Failure!.ToValidationProblem();
    }

    public static async Task<Outcome<DataRightsRequestResponse>> RecordAsync(
        Guid tenantId, DataRightsRequestBody body, SwitchboardDbContext db, Sealer sealer, PrivacyOptions options, AuditActor actor, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var errors = new Dictionary<string, string[]>();
        if (body.Type is null || !Types.Contains(body.Type, StringComparer.Ordinal))
        {
            errors["type"] = [$"One of: {string.Join(", ", Types)}."];
        }

        if (body.ContactId is not { } contactId)
        {
            errors["contactId"] = ["The contact the request is about."];
        }
        else if (!await db.Contacts.AnyAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct))
        {
            errors["contactId"] = ["No such contact."];
        }

        var name = body.Requester?.Name?.Trim();
        var email = string.IsNullOrWhiteSpace(body.Requester?.Email) ? null : body.Requester!.Email!.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            errors["requester.name"] = ["Who made the request, 1 to 200 characters."];
        }

        if (email is not null && (email.Length > 254 || !System.Net.Mail.MailAddress.TryCreate(email, out _)))
        {
            errors["requester.email"] = ["An e-mail address, or null."];
        }

        var received = body.ReceivedAt ?? now;
        if (received > now.AddMinutes(5) || received < now - Deadline * 12)
        {
            errors["receivedAt"] = ["When the request arrived: not in the future, at most a year ago."];
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var request = new DataRightsRequest
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            Type = body.Type!,
            ContactId = body.ContactId,
            ReceivedAt = received,
            DueAt = received + Deadline,
            WarnAt = received + Deadline - options.RequestWarnBefore,
            Status = Received,
            CreatedBy = actor.Id.Length <= 100 ? actor.Id : actor.Id[..100],
            CreatedAt = now,
        };
        var requester = new Requester(name, email);
        request.Requester = await sealer.SealAsync(request.RequesterContext, JsonSerializer.Serialize(requester, JsonSerializerOptions.Web), ct);
        db.DataRightsRequests.Add(request);
        await AuditLog.RecordAsync(db, tenantId, actor, PrivacyAudit.RequestReceived, $"privacy_request:{request.Id}", new { request.Type, request.ContactId, request.DueAt }, now, ct);
        return ToResponse(request, requester, options, now);
    }

    public static async Task<Ok<Page<DataRightsRequestResponse>>> ListAsync(
        Guid tenantId, int? limit, string? cursor, SwitchboardDbContext db, Sealer sealer, IOptions<PrivacyOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var take = Paging.Limit(limit);
        var query = db.DataRightsRequests.AsNoTracking().Where(r => r.TenantId == tenantId);
        if (Paging.DecodeGuid(cursor) is { } before)
        {
            query = query.Where(r => r.Id.CompareTo(before) < 0);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(take + 1).ToListAsync(ct);
        var page = Paging.PageOf(rows, take, r => r.Id);
        var now = clock.GetUtcNow();
        var items = new List<DataRightsRequestResponse>();
        foreach (var row in page.Items)
        {
            items.Add(ToResponse(row, await OpenRequesterAsync(sealer, row, ct), options.Value, now));
        }

        return TypedResults.Ok(new Page<DataRightsRequestResponse>(items, page.NextCursor));
    }

    public static async Task<Results<Ok<DataRightsRequestResponse>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid requestId, SwitchboardDbContext db, Sealer sealer, IOptions<PrivacyOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var row = await db.DataRightsRequests.AsNoTracking().FirstOrDefaultAsync(r => r.TenantId == tenantId && r.Id == requestId, ct);
        return row is null ? Problems.NotFound() : TypedResults.Ok(ToResponse(row, await OpenRequesterAsync(sealer, row, ct), options.Value, clock.GetUtcNow()));
    }

    public static async Task<Requester> OpenRequesterAsync(Sealer sealer, DataRightsRequest row, CancellationToken ct) =>
        JsonSerializer.Deserialize<Requester>(await sealer.OpenAsync(row.RequesterContext, row.Requester, ct), JsonSerializerOptions.Web) ?? new Requester(null, null);

    /// <summary>"overdue" past the deadline, "due_soon" within the warning period, for open requests only.</summary>
    public static string? WarningOf(DataRightsRequest r, PrivacyOptions options, DateTimeOffset now) =>
        !IsOpen(r.Status) ? null : now >= r.DueAt ? "overdue" : now >= r.DueAt - options.RequestWarnBefore ? "due_soon" : null;

    public static DataRightsRequestResponse ToResponse(DataRightsRequest r, Requester requester, PrivacyOptions options, DateTimeOffset now) =>
        new(r.Id, r.Type, r.ContactId, requester, r.ReceivedAt, r.DueAt, r.Status, WarningOf(r, options, now), r.CompletedAt, r.ExportId, r.Reason, r.ConfirmationQueued, r.CreatedAt);
}
