using Microsoft.Extensions.Options;

namespace CloudApiSimulator;

/// <summary>What a simulated customer sends: <c>POST {prefix}/api/customers/{waId}/messages</c>.</summary>
public sealed record CustomerMessage(
    string PhoneNumberId,
    string? Name,
    string Type,
    string? Text,
    string? ReplyToWamid,
    double? Latitude,
    double? Longitude,
    string? MediaBase64,
    string? MimeType,
    string? FileName,
    string? ButtonId,
    string? ButtonTitle,
    string? ButtonKind,
    string? Emoji,
    bool Voice = false);

/// <summary>
/// Simulated customers: they write to a business number in every WhatsApp message type, and their
/// messages reach the business as signed webhooks, exactly as Meta would deliver them.
/// </summary>
public static class Customers
{
    public static async Task<IResult> SendAsync(string waId, CustomerMessage request, IOptionsMonitor<SimulatorOptions> options, SimulatorState state, WebhookPoster poster)
    {
        var number = options.CurrentValue.Numbers.FirstOrDefault(n => n.PhoneNumberId == request.PhoneNumberId);
        if (number is null)
        {
            return Results.Problem(title: "Unknown business number.", statusCode: 404);
        }

        var wamid = Payloads.NewWamid();
        var message = new Dictionary<string, object?>
        {
            ["from"] = waId,
            ["id"] = wamid,
            ["timestamp"] = Payloads.Timestamp(),
            ["type"] = request.Type,
        };
        if (request.ReplyToWamid is not null && request.Type != "reaction")
        {
            message["context"] = new { from = string.Concat(number.DisplayPhoneNumber.Where(char.IsAsciiDigit)), id = request.ReplyToWamid };
        }

        string summary;
        string? mediaId = null;
        switch (request.Type)
        {
            case "text":
                message["text"] = new { body = request.Text ?? "" };
                summary = request.Text ?? "";
                break;
            case "image" or "video" or "audio" or "document" or "sticker":
                var bytes = request.MediaBase64 is null ? SamplePicture.Bytes : Convert.FromBase64String(request.MediaBase64);
                var mime = request.MimeType ?? (request.Type == "image" ? "image/png" : "application/octet-stream");
                mediaId = GraphApi.NewMediaId();
                state.Media[mediaId] = new StoredMedia(bytes, mime, request.FileName);
                var media = new Dictionary<string, object?>
                {
                    ["mime_type"] = mime,
                    ["sha256"] = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(bytes)),
                    ["id"] = mediaId,
                };
                if (request.Text is not null && request.Type is "image" or "video" or "document")
                {
                    media["caption"] = request.Text;
                }

                if (request.Type == "document")
                {
                    media["filename"] = request.FileName ?? "file.pdf";
                }

                if (request.Type == "audio")
                {
                    media["voice"] = request.Voice;
                }

                if (request.Type == "sticker")
                {
                    media["animated"] = false;
                }

                message[request.Type] = media;
                summary = $"[{request.Type}] {request.Text}".Trim();
                break;
            case "location":
                message["location"] = new { latitude = request.Latitude ?? 52.3676, longitude = request.Longitude ?? 4.9041, name = request.Text, address = (string?)null };
                summary = $"[location] {request.Latitude}, {request.Longitude}";
                break;
            case "contacts":
                message["contacts"] = new[] { new { name = new { formatted_name = request.Text ?? "Jane Doe", first_name = request.Text ?? "Jane" }, phones = new[] { new { phone = "+1 555 0100", wa_id = "15550100", type = "CELL" } } } };
                summary = $"[contact] {request.Text ?? "Jane Doe"}";
                break;
            case "interactive":
                var kind = request.ButtonKind ?? "button_reply";
                message["interactive"] = new Dictionary<string, object?> { ["type"] = kind, [kind] = new { id = request.ButtonId, title = request.ButtonTitle } };
                summary = $"[{kind}] {request.ButtonTitle}";
                break;
            case "reaction":
                message["reaction"] = new { message_id = request.ReplyToWamid, emoji = request.Emoji ?? "" };
                summary = string.IsNullOrEmpty(request.Emoji) ? "[removed reaction]" : $"reacted {request.Emoji}";
                break;
            default:
                return Results.Problem(title: $"The simulator cannot send '{request.Type}'.", statusCode: 400);
        }

        state.Log(number.PhoneNumberId, waId, new ChatLine { Wamid = wamid, From = "customer", Type = request.Type, Summary = summary, MediaId = mediaId });
        var delivered = await poster.PostAsync(number, Payloads.Inbound(number, waId, request.Name ?? "Customer " + waId[^4..], message));
        return Results.Json(new { wamid, delivered });
    }

    public static IResult Chat(string waId, string phoneNumberId, SimulatorState state) => Results.Json(new { items = state.Chat(phoneNumberId, waId) }, GraphApi.Json);

    public static IResult Numbers(IOptionsMonitor<SimulatorOptions> options) =>
        Results.Json(options.CurrentValue.Numbers.Select(n => new { n.PhoneNumberId, n.DisplayPhoneNumber, n.VerifiedName }), GraphApi.Json);

    public static IResult Stats(SimulatorState state) => Results.Json(new { accepted = state.MessagesAccepted, errors = state.ErrorsAnswered }, GraphApi.Json);

    /// <summary>When each send of one number was accepted (microseconds, UTC): load tests measure rates from it.</summary>
    public static IResult NumberStats(string phoneNumberId, SimulatorState state)
    {
        var (at, wamids) = state.Accepted(phoneNumberId);
        return Results.Json(new { acceptedAtMicroseconds = at, acceptedWamids = wamids, throttledAtMicroseconds = state.ThrottledAt(phoneNumberId) }, GraphApi.Json);
    }

    /// <summary>How many times each business message reached a customer, by its text: tests of many senders look for one sent twice.</summary>
    public static IResult SentByText(SimulatorState state)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chat in state.Chats.Values)
        {
            lock (chat)
            {
                foreach (var line in chat.Where(l => l.From == "business"))
                {
                    counts[line.Summary] = counts.GetValueOrDefault(line.Summary) + 1;
                }
            }
        }

        return Results.Json(new { counts }, GraphApi.Json);
    }

    /// <summary>
    /// A file of the conversation, for the customer's own phone page: the page is the customer, not the
    /// business, so it needs no access token (Meta's download URL for the business does: <see cref="GraphApi.Download"/>).
    /// </summary>
    public static IResult Media(string id, SimulatorState state) =>
        state.Media.TryGetValue(id, out var media) ? Results.Bytes(media.Bytes, media.MimeType) : Results.NotFound();
}
