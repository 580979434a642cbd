using System.Text.Json;
using Switchboard.Common.Serialization;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Reads a stored message's payload (WhatsApp's message object for inbound messages, the Graph API
/// request for replies) into the <see cref="MessageBody"/> of its type. Lenient like
/// <see cref="MessageRenderer"/>: a missing field is null or empty, never an exception.
/// </summary>
internal static class MessageBodies
{
    public static MessageBody Read(string type, bool outbound, string? text, JsonElement? payload)
    {
        var root = payload ?? default;
        var content = root.Get(type) ?? default;
        return type switch
        {
            "text" or "note" => new TextBody(text),
            "image" => Media(MediaKind.Image, content),
            "sticker" => Media(MediaKind.Sticker, content),
            "video" => Media(MediaKind.Video, content),
            "audio" => Media(MediaKind.Audio, content),
            "document" => Media(MediaKind.Document, content),
            "location" => new LocationBody(content.String("name"), content.String("address"), content.String("latitude") ?? "", content.String("longitude") ?? ""),
            "contacts" => new ContactsBody([.. root.Array("contacts").Select(Card)]),
            "interactive" when outbound => new SentButtonsBody(text, Buttons(content)),
            "interactive" or "button" => new ChoiceBody(text ?? "Reply", content.Get("list_reply")?.String("description")),
            "order" => new OrderBody([.. content.Array("product_items").Select(Item)], content.String("text")),
            "reaction" => new ReactionBody(content.String("emoji")),
            "system" => new NoticeBody("System message", text),
            "unsupported" => new NoticeBody("Message type not supported by WhatsApp's API", text),
            _ => new NoticeBody($"A “{type}” message", text),
        };
    }

    private static MediaBody Media(MediaKind kind, JsonElement content) => new(
        kind,
        kind is MediaKind.Audio ? null : content.String("caption"),
        kind is MediaKind.Document ? content.String("filename") : null,
        kind is MediaKind.Audio && content.Bool("voice"));

    private static ContactCard Card(JsonElement card) => new(
        card.Get("name")?.String("formatted_name") ?? "Contact",
        [.. card.Array("phones").Select(p => p.String("phone") + (p.String("type") is { } kind ? $" ({kind.ToLowerInvariant()})" : ""))]);

    /// <summary>The reply buttons' titles, or the list's button (marked ☰), of an interactive message the business sent.</summary>
    private static IReadOnlyList<string> Buttons(JsonElement interactive)
    {
        var action = interactive.Get("action") ?? default;
        if (action.Get("buttons") is { ValueKind: JsonValueKind.Array } buttons)
        {
            return [.. buttons.EnumerateArray().Select(b => b.Get("reply")).OfType<JsonElement>().Select(r => r.String("title")).OfType<string>()];
        }

        return action.String("button") is { } listButton ? ["☰ " + listButton] : [];
    }

    private static OrderItem Item(JsonElement item) => new(
        item.String("product_retailer_id") ?? "", item.String("quantity") ?? "", item.String("item_price") ?? "", item.String("currency") ?? "");
}
