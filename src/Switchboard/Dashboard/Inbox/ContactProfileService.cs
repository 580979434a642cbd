using System.Security.Claims;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Dashboard.Inbox;

/// <summary>An attribute as the contact panel edits it: its definition and the current value as text.</summary>
public sealed record AttributeField(string Key, string Label, string Type, IReadOnlyList<string> Options, string? Value);

/// <summary>A note as the contact panel lists it.</summary>
public sealed record NoteView(Guid Id, string Text, string AuthorName, DateTimeOffset CreatedAt);

/// <summary>The contact of an open conversation, as the contact panel shows and edits it.</summary>
public sealed record ContactProfileView(Guid ContactId, string? Name, string? ProfileName, IReadOnlyList<AttributeField> Attributes, IReadOnlyList<NoteView> Notes);

/// <summary>
/// The contact panel's use cases in-process (ADR 0012): the same handlers as <c>PATCH …/contacts/{id}</c>
/// and the notes API, each on a short-lived context, for the session's tenant.
/// </summary>
internal sealed class ContactProfileService(IDbContextFactory<SwitchboardDbContext> dbFactory, ContactDirectory directory, ContactKeys keys, TimeProvider clock)
{
    public async Task<ContactProfileView?> LoadAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var contactId = await db.Conversations.AsNoTracking().Where(c => c.TenantId == tenantId && c.Id == conversationId).Select(c => (Guid?)c.ContactId).FirstOrDefaultAsync(ct);
        var contact = contactId is null ? null : await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct);
        if (contact is null)
        {
            return null;
        }

        // The panel shows the contact's attributes, not its conversations; the conversation itself was checked by the inbox.
        var response = await ContactsApi.ToResponseAsync(db, directory, contact, visible: null, ct);
        var definitions = await ContactAttributeDefinitions.ReadAsync(db, tenantId, ct);
        var fields = definitions.Select(d => new AttributeField(
            d.Key, d.Label, d.Type.ToString().ToLowerInvariant(), d.OptionList,
            response.Attributes.TryGetValue(d.Key, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null)).ToList();
        var notes = await ContactNotes.ReadAsync(tenantId, contact.Id, db, keys, ct) ?? [];
        return new ContactProfileView(contact.Id, response.Name, response.ProfileName, fields, [.. notes.Select(n => new NoteView(n.Id, n.Text, n.AuthorName, n.CreatedAt))]);
    }

    /// <summary>Saves the name and every attribute field (an empty field removes the value); field errors keyed <c>name</c> or <c>attributes.&lt;key&gt;</c>.</summary>
    public async Task<IDictionary<string, string[]>?> SaveAsync(Guid tenantId, Guid contactId, string? name, IReadOnlyList<AttributeField> fields, CancellationToken ct)
    {
        var values = new Dictionary<string, JsonElement>();
        foreach (var field in fields)
        {
            values[field.Key] = string.IsNullOrWhiteSpace(field.Value)
                ? JsonSerializer.SerializeToElement<object?>(null)
                : field.Type == "number" && decimal.TryParse(field.Value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var number)
                    ? JsonSerializer.SerializeToElement(number)
                    : JsonSerializer.SerializeToElement(field.Value.Trim());
        }

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcome = await UpdateContact.UpdateAsync(tenantId, contactId, new UpdateContact.Request(name ?? "", values), db, directory, clock, visible: null, ct);
        return outcome.Failure is { } failure ? failure.Errors ?? new Dictionary<string, string[]> { [""] = [failure.Message] } : null;
    }

    public async Task<string?> AddNoteAsync(Guid tenantId, Guid contactId, string text, ClaimsPrincipal user, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var outcome = await ContactNotes.WriteAsync(tenantId, contactId, new ContactNotes.Request(text), UpdateContact.AuthorOf(user), db, keys, clock, ct);
        return outcome.Failure?.Message;
    }

    /// <summary>The newest messages of an earlier conversation, oldest first, for the panel to show inline.</summary>
    public async Task<IReadOnlyList<MessageResponse>> RecentMessagesAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var all = new List<MessageResponse>();
        string? cursor = null;
        do
        {
            if ((await ListMessages.ReadAsync(tenantId, conversationId, db, keys, cursor, 200, ct)).Value is not { } page)
            {
                break;
            }

            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null && all.Count < 1000);
        return all.Count > 20 ? all[^20..] : all;
    }
}
