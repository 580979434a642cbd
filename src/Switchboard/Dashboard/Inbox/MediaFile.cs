using Switchboard.Features.Conversations;

namespace Switchboard.Dashboard.Inbox;

/// <summary>Where a message's file is shown from (the authorised media API), or why it cannot be shown yet.</summary>
internal static class MediaFile
{
    public static string? UrlOf(MessageResponse message, Guid tenantId) =>
        message.Media is { State: "stored" } media ? $"/api/v1/tenants/{tenantId}/media/{media.Id}" : null;

    public static string StateOf(MessageResponse message) => message.Media switch
    {
        null when message.Direction == "outbound" => $"{message.Type} sent (the file stays with WhatsApp).",
        null => "No file attached.",
        { State: "failed" } => "The file could not be fetched from WhatsApp.",
        _ => "Fetching the file…",
    };
}
