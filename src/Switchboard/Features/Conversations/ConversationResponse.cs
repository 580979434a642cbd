using System.Security.Cryptography;

namespace Switchboard.Features.Conversations;

internal sealed record ContactSummary(Guid Id, string? WaId, string? Name, bool Erased);

internal sealed record ConversationResponse(
    Guid Id,
    long Number,
    string Status,
    ContactSummary Contact,
    Guid ChannelId,
    DateTimeOffset? LastMessageAt,
    DateTimeOffset? WindowExpiresAt,
    int UnreadCount,
    DateTimeOffset CreatedAt,
    Guid? AssigneeId = null,
    Guid? TeamId = null,
    DateTimeOffset? WaitingSince = null,
    int? QueuePosition = null,
    int? EstimatedWaitSeconds = null,
    ConversationSla? Sla = null)
{
    /// <summary>The names of the conversation's labels (ADR 0024).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary><c>low</c>, <c>normal</c>, <c>high</c> or <c>urgent</c> (ADR 0028).</summary>
    public string Priority { get; init; } = ConversationPriorities.Normal;
}

/// <summary>Opens contacts for API answers; an erased contact shows as erased instead of failing the page.</summary>
internal sealed class ContactReader(ContactDirectory directory)
{
    public async Task<ContactSummary> SummaryAsync(Contact contact, CancellationToken ct)
    {
        try
        {
            var profile = await directory.ReadAsync(contact, ct);
            return new ContactSummary(contact.Id, profile.WaId, profile.ShownName, false);
        }
        catch (CryptographicException)
        {
            return new ContactSummary(contact.Id, null, null, true);
        }
    }

    public static ConversationResponse ToResponse(Conversation c, ContactSummary contact) => new(
        c.Id,
        c.Number,
        c.Status.ToString().ToLowerInvariant(),
        contact,
        c.ChannelId,
        c.LastMessageAt,
        c.WindowExpiresAt,
        c.UnreadCount,
        c.CreatedAt,
        c.AssignedUserId,
        c.TeamId,
        c.WaitingSince,
        Sla: ConversationSla.Of(c))
    {
        Priority = c.Priority,
    };
}
