using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>
/// An agent edits a contact: the name shown for them (WhatsApp's profile name stays underneath and shows
/// again when the name is cleared with <c>""</c>) and attribute values (null removes one). Both are sealed
/// with the contact's key; lookups by phone number or user id are unaffected.
/// </summary>
internal static class UpdateContact
{
    public const int MaxNameLength = 200;

    public sealed record Request(string? Name, Dictionary<string, JsonElement>? Attributes);

    public static async Task<Results<Ok<ContactsApi.ContactResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid contactId, Request request, SwitchboardDbContext db, ContactDirectory directory, TimeProvider clock, IConversationScope scope, HttpContext http, CancellationToken ct) =>
        await UpdateAsync(tenantId, contactId, request, db, directory, clock, await scope.ForAsync(http.User, tenantId, ct), ct) switch
        {
            { Value: { } contact } => TypedResults.Ok(contact),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<ContactsApi.ContactResponse>> UpdateAsync(
        Guid tenantId, Guid contactId, Request request, SwitchboardDbContext db, ContactDirectory directory, TimeProvider clock, ConversationVisibility? visible, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct);
        if (contact is null)
        {
            return Failure.NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Name is { Length: > MaxNameLength })
        {
            errors["name"] = [$"At most {MaxNameLength} characters."];
        }

        var profile = await directory.ReadAsync(contact, ct);
        var definitions = await db.ContactAttributeDefinitions.AsNoTracking().Where(d => d.TenantId == tenantId).ToDictionaryAsync(d => d.Key, StringComparer.Ordinal, ct);
        var attributes = ContactAttributes.Apply(profile.AttributesJson, request.Attributes ?? [], definitions, errors);
        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var name = request.Name is null ? profile.DisplayName : string.IsNullOrWhiteSpace(request.Name) ? null : request.Name.Trim();
        await directory.SetProfileAsync(contact, name, attributes.ToJsonString(), ct);
        await SaveWithContactEventAsync(db, contact, "profile", clock.GetUtcNow(), ct);
        return await ContactsApi.ToResponseAsync(db, directory, contact, visible, ct);
    }

    /// <summary>Saves, with a realtime event on each of the contact's recent conversations, so panels showing the contact refresh.</summary>
    public static async Task SaveWithContactEventAsync(SwitchboardDbContext db, Contact contact, string detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == contact.TenantId && c.ContactId == contact.Id)
            .OrderByDescending(c => c.Sequence).Select(c => c.Id).Take(20).ToListAsync(ct);
        foreach (var conversationId in conversations)
        {
            RealtimeLog.Append(db, contact.TenantId, RealtimeEventTypes.ContactChanged, conversationId, null, detail, now);
        }

        await RealtimeLog.FlushAsync(db, ct);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>Who writes a note: the signed-in user, or the API token's name.</summary>
    public static (Guid? Id, string Name) AuthorOf(ClaimsPrincipal user) =>
        (Common.Security.SwitchboardClaims.UserIdOf(user),
         user.FindFirstValue(Common.Security.SwitchboardClaims.TokenName) ?? user.FindFirstValue(ClaimTypes.Name) ?? "API");
}
