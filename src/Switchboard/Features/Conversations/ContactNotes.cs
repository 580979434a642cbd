using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>Private notes about a contact, by agents, sealed with the contact's key.</summary>
internal static class ContactNotes
{
    public const int MaxTextLength = 4000;

    public sealed record Request(string? Text);

    public sealed record NoteResponse(Guid Id, string Text, Guid? AuthorId, string AuthorName, DateTimeOffset CreatedAt);

    public sealed record NoteList(IReadOnlyList<NoteResponse> Items, string? NextCursor);

    public static async Task<Results<Ok<NoteList>, ProblemHttpResult>> ListAsync(
        Guid tenantId, Guid contactId, SwitchboardDbContext db, ContactKeys keys, CancellationToken ct) =>
        await ReadAsync(tenantId, contactId, db, keys, ct) is { } notes ? TypedResults.Ok(new NoteList(notes, null)) : Problems.NotFound();

    public static async Task<Results<Created<NoteResponse>, ValidationProblem, ProblemHttpResult>> AddAsync(
        Guid tenantId, Guid contactId, Request request, HttpContext http, SwitchboardDbContext db, ContactKeys keys, TimeProvider clock, CancellationToken ct) =>
        await WriteAsync(tenantId, contactId, request, UpdateContact.AuthorOf(http.User), db, keys, clock, ct) switch
        {
            { Value: { } note } => TypedResults.Created($"/api/v1/tenants/{tenantId}/contacts/{contactId}/notes/{note.Id}", note),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>The contact's notes, newest first; null when there is no such (live) contact in the tenant.</summary>
    public static async Task<IReadOnlyList<NoteResponse>?> ReadAsync(Guid tenantId, Guid contactId, SwitchboardDbContext db, ContactKeys keys, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct);
        if (contact is null)
        {
            return null;
        }

        var notes = await db.ContactNotes.AsNoTracking().Where(n => n.TenantId == tenantId && n.ContactId == contactId)
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(200).ToListAsync(ct);
        DataKey key;
        try
        {
            key = await keys.KeyOfAsync(contact, ct);
        }
        catch (CryptographicException)
        {
            return null;
        }

        return [.. notes.Select(n => new NoteResponse(n.Id, Sealer.OpenString(key, n.SealContext(), n.Body), n.AuthorId, n.AuthorName, n.CreatedAt))];
    }

    public static async Task<Outcome<NoteResponse>> WriteAsync(
        Guid tenantId, Guid contactId, Request request, (Guid? Id, string Name) author, SwitchboardDbContext db, ContactKeys keys, TimeProvider clock, CancellationToken ct)
    {
        var contact = await db.Contacts.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId && c.DataKey != null, ct);
        if (contact is null)
        {
            return Failure.NotFound();
        }

        var text = request.Text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxTextLength)
        {
            return Failure.Invalid("text", $"Write from 1 to {MaxTextLength} characters.");
        }

        var now = clock.GetUtcNow();
        var note = new ContactNote
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ContactId = contactId,
            AuthorId = author.Id,
            AuthorName = author.Name.Length > 200 ? author.Name[..200] : author.Name,
            CreatedAt = now,
        };
        note.Body = Sealer.Seal(await keys.KeyOfAsync(contact, ct), note.SealContext(), text);
        db.ContactNotes.Add(note);
        await UpdateContact.SaveWithContactEventAsync(db, contact, "note", now, ct);
        return new NoteResponse(note.Id, text, note.AuthorId, note.AuthorName, now);
    }
}
