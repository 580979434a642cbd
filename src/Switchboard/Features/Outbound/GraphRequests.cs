using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Features.Outbound;

/// <summary>
/// The Graph API request bodies, field for field as Meta documents them (tests compare them with the
/// published examples in tests/fixtures/send). Media bodies carry a placeholder id that the sender fills in
/// after uploading the file.
/// </summary>
internal static class GraphRequests
{
    public const string UploadPlaceholder = "$upload";

    /// <summary>The recipient: <c>"to": "+&lt;wa_id&gt;"</c>, or the business-scoped user id for a customer who hides their number.</summary>
    public sealed record Recipient(string? WaId, string? UserId);

    public static JsonObject Build(SendRequest request, Recipient recipient, string? contextWamid, string? reactionTargetWamid)
    {
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
        };
        if (recipient.WaId is not null)
        {
            body["to"] = "+" + recipient.WaId;
        }
        else
        {
            body["recipient"] = recipient.UserId;
        }

        if (contextWamid is not null)
        {
            body["context"] = new JsonObject { ["message_id"] = contextWamid };
        }

        switch (request.Type)
        {
            case "text":
                body["type"] = "text";
                body["text"] = new JsonObject { ["preview_url"] = request.PreviewUrl ?? false, ["body"] = request.Text };
                break;
            case "reaction":
                body["type"] = "reaction";
                body["reaction"] = new JsonObject { ["message_id"] = reactionTargetWamid, ["emoji"] = request.Reaction!.Emoji ?? "" };
                break;
            case "buttons":
                body["type"] = "interactive";
                body["interactive"] = Interactive("button", request, new JsonObject
                {
                    ["buttons"] = new JsonArray([.. request.Buttons!.Select(b => (JsonNode)new JsonObject
                    {
                        ["type"] = "reply",
                        ["reply"] = new JsonObject { ["id"] = b.Id, ["title"] = b.Title },
                    })]),
                });
                break;
            case "list":
                body["type"] = "interactive";
                body["interactive"] = Interactive("list", request, new JsonObject
                {
                    ["button"] = request.List!.Button,
                    ["sections"] = new JsonArray([.. request.List.Sections!.Select(s => (JsonNode)Section(s))]),
                });
                break;
            default:
                var kind = request.Type!;
                var media = new JsonObject { ["id"] = UploadPlaceholder };
                if (request.Text is not null && kind is "image" or "video" or "document")
                {
                    media["caption"] = request.Text;
                }

                if (kind == "document")
                {
                    media["filename"] = request.Media!.FileName;
                }

                body["type"] = kind;
                body[kind] = media;
                break;
        }

        return body;
    }

    public static JsonObject MarkRead(string wamid, bool typing)
    {
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["status"] = "read",
            ["message_id"] = wamid,
        };
        if (typing)
        {
            body["typing_indicator"] = new JsonObject { ["type"] = "text" };
        }

        return body;
    }

    /// <summary>Puts the uploaded media id where the placeholder is.</summary>
    public static byte[] WithMediaId(byte[] request, string mediaId)
    {
        var body = JsonNode.Parse(request)!.AsObject();
        var kind = body["type"]!.GetValue<string>();
        body[kind]!["id"] = mediaId;
        return JsonSerializer.SerializeToUtf8Bytes(body);
    }

    private static JsonObject Interactive(string type, SendRequest request, JsonObject action)
    {
        var interactive = new JsonObject { ["type"] = type };
        if (!string.IsNullOrEmpty(request.Header))
        {
            interactive["header"] = new JsonObject { ["type"] = "text", ["text"] = request.Header };
        }

        interactive["body"] = new JsonObject { ["text"] = request.Text };
        if (!string.IsNullOrEmpty(request.Footer))
        {
            interactive["footer"] = new JsonObject { ["text"] = request.Footer };
        }

        interactive["action"] = action;
        return interactive;
    }

    private static JsonObject Section(SendListSection section)
    {
        var node = new JsonObject();
        if (!string.IsNullOrEmpty(section.Title))
        {
            node["title"] = section.Title;
        }

        node["rows"] = new JsonArray([.. section.Rows!.Select(r =>
        {
            var row = new JsonObject { ["id"] = r.Id, ["title"] = r.Title };
            if (!string.IsNullOrEmpty(r.Description))
            {
                row["description"] = r.Description;
            }

            return (JsonNode)row;
        })]);
        return node;
    }
}
