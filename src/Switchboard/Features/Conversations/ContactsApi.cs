using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Conversations;

/// <summary>A customer and their conversations; finding one by phone number goes through the blind index.</summary>
internal static class ContactsApi
{
    /// <summary><c>name</c> is the name shown (the one an agent gave, else WhatsApp's); <c>profileName</c> is WhatsApp's.</summary>
    public sealed record ContactResponse(
        Guid Id, string? WaId, string? UserId, string? Name, string? ProfileName, IReadOnlyDictionary<string, object?> Attributes, bool Erased, DateTimeOffset CreatedAt,
        IReadOnlyList<ConversationResponse> Conversations);

    public static async Task<Results<Ok<ContactResponse>, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid contactId, SwitchboardDbContext db, ContactDirectory directory, IConversationScope scope, AccessLog access, HttpContext http, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId, ct);
        if (contact is null)
        {
            return Problems.NotFound();
        }

        var response = await ToResponseAsync(db, directory, contact, await scope.ForAsync(http.User, tenantId, ct), ct);
        await access.OpenedAsync(db, tenantId, AuditActor.From(http), AuditActions.ContactOpened, $"contact:{contactId}", ct);
        return TypedResults.Ok(response);
    }

    /// <summary><c>?phone=+1 650 555 1234</c> (any formatting) or <c>?userId=US.123…</c>.</summary>
    public static async Task<Results<Ok<ContactResponse>, ValidationProblem, ProblemHttpResult>> FindAsync(
        Guid tenantId, string? phone, string? userId, SwitchboardDbContext db, ContactDirectory directory, IConversationScope scope, HttpContext http, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(phone) && string.IsNullOrWhiteSpace(userId))
        {
            return Problems.Validation("phone", "Give phone (a number in international form) or userId.");
        }

        if (phone is { Length: > 40 } || userId is { Length: > 160 })
        {
            return Problems.Validation(phone is { Length: > 40 } ? "phone" : "userId", "Too long.");
        }

        var contact = await directory.FindAsync(db, tenantId, phone, userId, ct);
        return contact is null ? Problems.NotFound() : TypedResults.Ok(await ToResponseAsync(db, directory, contact, await scope.ForAsync(http.User, tenantId, ct), ct));
    }

    /// <summary>The contact with the conversations the caller may see (the contact itself is the tenant's: ADR 0022, amendment).</summary>
    public static async Task<ContactResponse> ToResponseAsync(SwitchboardDbContext db, ContactDirectory directory, Contact contact, ConversationVisibility? visible, CancellationToken ct)
    {
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.TenantId == contact.TenantId && c.ContactId == contact.Id)
            .VisibleTo(visible)
            .OrderByDescending(c => c.Sequence)
            .ToListAsync(ct);
        ContactProfile? profile = null;
        try
        {
            profile = await directory.ReadAsync(contact, ct);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
        }

        var definitions = await db.ContactAttributeDefinitions.AsNoTracking().Where(d => d.TenantId == contact.TenantId).OrderBy(d => d.Position).ThenBy(d => d.Key).ToListAsync(ct);
        var summary = new ContactSummary(contact.Id, profile?.WaId, profile?.ShownName, profile is null);
        return new ContactResponse(
            contact.Id, profile?.WaId, profile?.UserId, profile?.ShownName, profile?.Name, ContactAttributes.Shown(profile?.AttributesJson, definitions), profile is null, contact.CreatedAt,
            [.. conversations.Select(c => ContactReader.ToResponse(c, summary))]);
    }
}
