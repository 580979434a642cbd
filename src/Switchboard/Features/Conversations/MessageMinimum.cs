using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Features.Conversations;

/// <summary>
/// The minimum of an inbound WhatsApp message object that a tenant with minimal messages keeps (ADR 0051): its id, sender,
/// timestamp and type, the id of the message it quotes, its body as the product shows it (text, caption, location, shared
/// contact cards' names and phones, the chosen reply and its description, a form's answers, an order's items, a reaction)
/// and its media reference. Everything else goes: referral and ad data, identity hashes, the quoted message's sender and
/// forwarded flags (the forwarded mark has its own column), errors (their own columns), unknown types' objects (their
/// readable rendering in <see cref="Message.Text"/> stays).
/// </summary>
internal static class MessageMinimum
{
    private static readonly string[] Envelope = ["id", "from", "timestamp", "type"];
    private static readonly string[] MediaFields = ["id", "mime_type", "sha256", "caption", "filename", "voice", "animated"];

    public static string Of(string type, string content)
    {
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(content);
        }
        catch (JsonException)
        {
            return "{}";
        }

        if (parsed is not JsonObject message)
        {
            return "{}";
        }

        var minimum = new JsonObject();
        Copy(message, minimum, Envelope);
        if (message["context"] is JsonObject context && context["id"] is { } quoted)
        {
            minimum["context"] = new JsonObject { ["id"] = quoted.DeepClone() };
        }

        switch (type)
        {
            case "text":
                CopyObject(message, minimum, "text", ["body"]);
                break;
            case "image" or "video" or "audio" or "document" or "sticker":
                CopyObject(message, minimum, type, MediaFields);
                break;
            case "location":
                CopyObject(message, minimum, "location", ["latitude", "longitude", "name", "address"]);
                break;
            case "contacts" when message["contacts"] is JsonArray cards:
                minimum["contacts"] = new JsonArray([.. cards.OfType<JsonObject>().Select(Card)]);
                break;
            case "interactive" when message["interactive"] is JsonObject interactive:
                var kept = new JsonObject();
                Copy(interactive, kept, ["type"]);
                CopyObject(interactive, kept, "button_reply", ["id", "title"]);
                CopyObject(interactive, kept, "list_reply", ["id", "title", "description"]);
                CopyObject(interactive, kept, "nfm_reply", ["name", "body", "response_json"]);
                minimum["interactive"] = kept;
                break;
            case "button":
                CopyObject(message, minimum, "button", ["payload", "text"]);
                break;
            case "reaction":
                CopyObject(message, minimum, "reaction", ["message_id", "emoji"]);
                break;
            case "order" when message["order"] is JsonObject order:
                var items = order["product_items"] is JsonArray products
                    ? new JsonArray([.. products.OfType<JsonObject>().Select(p => Pick(p, ["product_retailer_id", "quantity", "item_price", "currency"]))])
                    : null;
                var keptOrder = Pick(order, ["catalog_id", "text"]);
                if (items is not null)
                {
                    keptOrder["product_items"] = items;
                }

                minimum["order"] = keptOrder;
                break;
            case "system":
                CopyObject(message, minimum, "system", ["body", "type"]);
                break;
        }

        return minimum.ToJsonString();
    }

    /// <summary>A shared contact card as the product shows it: its name and phone numbers.</summary>
    private static JsonObject Card(JsonObject card)
    {
        var kept = new JsonObject();
        CopyObject(card, kept, "name", ["formatted_name"]);
        if (card["phones"] is JsonArray phones)
        {
            kept["phones"] = new JsonArray([.. phones.OfType<JsonObject>().Select(p => Pick(p, ["phone", "type"]))]);
        }

        return kept;
    }

    private static JsonObject Pick(JsonObject from, string[] fields)
    {
        var kept = new JsonObject();
        Copy(from, kept, fields);
        return kept;
    }

    private static void CopyObject(JsonObject from, JsonObject to, string name, string[] fields)
    {
        if (from[name] is JsonObject inner)
        {
            to[name] = Pick(inner, fields);
        }
    }

    private static void Copy(JsonObject from, JsonObject to, string[] fields)
    {
        foreach (var field in fields)
        {
            if (from[field] is { } value)
            {
                to[field] = value.DeepClone();
            }
        }
    }
}
