using Microsoft.AspNetCore.WebUtilities;

namespace Switchboard.Dashboard.Inbox;

/// <summary>What an inbox address names: a conversation (none: the list alone) and a message to open it at (ADR 0057).</summary>
public readonly record struct InboxAddress(Guid? Conversation, Guid? Message)
{
    /// <summary>Reads an address relative to the base (<c>""</c>, <c>conversations/{id}?message={id}</c>); null when it is not the inbox's.</summary>
    public static InboxAddress? Parse(string relative)
    {
        var end = relative.IndexOfAny(['?', '#']);
        var path = (end < 0 ? relative : relative[..end]).TrimEnd('/');
        var query = end >= 0 && relative[end] == '?' ? relative[end..] : "";
        var message = QueryHelpers.ParseQuery(query).TryGetValue("message", out var m) && Guid.TryParse(m.ToString(), out var id) ? id : (Guid?)null;
        if (path.Length == 0)
        {
            return new InboxAddress(null, null);
        }

        const string prefix = "conversations/";
        return path.StartsWith(prefix, StringComparison.Ordinal) && Guid.TryParse(path.AsSpan(prefix.Length), out var conversation)
            ? new InboxAddress(conversation, message)
            : null;
    }
}
