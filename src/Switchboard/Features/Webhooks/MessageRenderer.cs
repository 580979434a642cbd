using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Common.Serialization;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// The readable <c>text</c> of an inbound message: the body or caption where WhatsApp has one, otherwise
/// a short rendering of the content ("[Location] …", "[Order] 3 items …"). Never empty, never throws:
/// a type nobody knows yet still gets a fallback.
/// </summary>
internal static class MessageRenderer
{
    public static string Render(JsonElement message)
    {
        var type = message.String("type") ?? "unknown";
        var content = message.Get(type) ?? default;
        return type switch
        {
            "text" => content.String("body") ?? "",
            "image" => Media("Image", content),
            "video" => Media("Video", content),
            "audio" => content.Bool("voice") ? "[Voice message]" : "[Audio]",
            "document" => Media($"Document: {content.String("filename") ?? "file"}", content),
            "sticker" => content.Bool("animated") ? "[Animated sticker]" : "[Sticker]",
            "location" => Location(content),
            "contacts" => Contacts(message),
            "interactive" => Interactive(content),
            "button" => content.String("text") ?? content.String("payload") ?? "[Button]",
            "reaction" => string.IsNullOrEmpty(content.String("emoji")) ? "[Reaction removed]" : $"[Reaction] {content.String("emoji")}",
            "order" => Order(content),
            "system" => message.Get("system")?.String("body") ?? "[System message]",
            "unsupported" or "unknown" => Unsupported(message),
            _ => $"[Unsupported message type: {type}]",
        };
    }

    private static string Media(string label, JsonElement content) =>
        content.String("caption") is { Length: > 0 } caption ? $"[{label}] {caption}" : $"[{label}]";

    private static string Location(JsonElement location)
    {
        var parts = new[] { location.String("name"), location.String("address") }.Where(p => !string.IsNullOrWhiteSpace(p));
        var where = string.Join(", ", parts);
        var coordinates = $"{location.String("latitude")}, {location.String("longitude")}";
        return where.Length > 0 ? $"[Location] {where} ({coordinates})" : $"[Location] {coordinates}";
    }

    private static string Contacts(JsonElement message)
    {
        var cards = message.Array("contacts").Select(card =>
        {
            var name = card.Get("name")?.String("formatted_name") ?? "Contact";
            var phone = card.Array("phones").Select(p => p.String("phone")).FirstOrDefault(p => p is not null);
            return phone is null ? name : $"{name} ({phone})";
        }).ToList();
        return cards.Count == 0 ? "[Contact card]" : $"[Contact{(cards.Count > 1 ? "s" : "")}] {string.Join("; ", cards)}";
    }

    private static string Interactive(JsonElement interactive)
    {
        switch (interactive.String("type"))
        {
            case "button_reply":
                return interactive.Get("button_reply")?.String("title") ?? "[Button reply]";
            case "list_reply":
                var reply = interactive.Get("list_reply") ?? default;
                var title = reply.String("title") ?? "[List reply]";
                return reply.String("description") is { Length: > 0 } description ? $"{title} — {description}" : title;
            case "nfm_reply":
                var form = interactive.Get("nfm_reply") ?? default;
                var answers = FormSummary(form.String("response_json"));
                return $"[Form reply] {(answers.Length > 0 ? answers : form.String("body") ?? form.String("name"))}".TrimEnd();
            default:
                return "[Interactive reply]";
        }
    }

    private static string FormSummary(string? responseJson)
    {
        if (string.IsNullOrEmpty(responseJson))
        {
            return "";
        }

        try
        {
            // JSON inside a string: its own escapes may hold lone surrogates, and it may be any JSON value.
            var bytes = Encoding.UTF8.GetBytes(responseJson);
            LenientJson.RepairLoneSurrogates(bytes);
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            return string.Join(", ", document.RootElement.EnumerateObject()
                .Where(p => p.Name != "flow_token")
                .Select(p => $"{p.Name}: {(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}"));
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private static string Order(JsonElement order)
    {
        var items = order.Array("product_items").ToList();
        var text = new StringBuilder($"[Order] {items.Count} item{(items.Count == 1 ? "" : "s")}");
        foreach (var item in items)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {item.String("quantity") ?? "1"} × {item.String("product_retailer_id")} @ {item.String("item_price")} {item.String("currency")}");
        }

        if (order.String("text") is { Length: > 0 } note)
        {
            text.Append(CultureInfo.InvariantCulture, $" — {note}");
        }

        return text.ToString();
    }

    private static string Unsupported(JsonElement message)
    {
        var kind = message.Get("unsupported")?.String("type");
        var error = message.Array("errors").Select(e => e.String("title")).FirstOrDefault(t => t is not null);
        return kind is not null ? $"[Unsupported message: {kind}]" : $"[Unsupported message{(error is null ? "" : ": " + error)}]";
    }
}
