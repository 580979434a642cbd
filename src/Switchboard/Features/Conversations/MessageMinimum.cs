using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Features.Conversations;

/// <summary>
/// The minimum of a WhatsApp message object that a tenant with minimal messages keeps (ADR 0047): its id, sender, timestamp and type,
/// the id of the message it quotes, its body (text, caption, the chosen reply, the reaction) and its media reference; nothing else
/// (profile, referral and ad data, identity hashes, forwarded flags, list descriptions, locations' and contacts' details: the readable
/// rendering in <see cref="Message.Text"/> stays). Flows and the API read only what is kept.
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
            case "interactive" when message["interactive"] is JsonObject interactive:
                var kept = new JsonObject();
                Copy(interactive, kept, ["type"]);
                CopyObject(interactive, kept, "button_reply", ["id", "title"]);
                CopyObject(interactive, kept, "list_reply", ["id", "title"]);
                minimum["interactive"] = kept;
                break;
            case "button":
                CopyObject(message, minimum, "button", ["payload", "text"]);
                break;
            case "reaction":
                CopyObject(message, minimum, "reaction", ["message_id", "emoji"]);
                break;
        }

        return minimum.ToJsonString();
    }

    private static void CopyObject(JsonObject from, JsonObject to, string name, string[] fields)
    {
        if (from[name] is JsonObject inner)
        {
            var kept = new JsonObject();
            Copy(inner, kept, fields);
            to[name] = kept;
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
