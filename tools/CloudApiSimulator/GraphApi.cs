using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace CloudApiSimulator;

/// <summary>
/// The Graph API endpoints Switchboard calls, with Meta's answers and error shapes: send message (and
/// mark as read), media upload, media URL and download (bearer checked), phone number, subscribed apps.
/// </summary>
internal static class GraphApi
{
    public static void Map(IEndpointRouteBuilder graph)
    {
        graph.MapPost("/{phoneNumberId}/messages", SendAsync);
        graph.MapPost("/{phoneNumberId}/media", UploadAsync);
        graph.MapGet("/{id}", GetObject);
        graph.MapGet("/{wabaId}/phone_numbers", PhoneNumbers);
        graph.MapGet("/{wabaId}/subscribed_apps", (string wabaId) => Results.Json(new { data = new[] { new { whatsapp_business_api_data = new { name = "Switchboard", id = "1234567890" } } } }));
        graph.MapPost("/{wabaId}/subscribed_apps", (string wabaId) => Results.Json(new { success = true }));
        graph.MapDelete("/{wabaId}/subscribed_apps", (string wabaId) => Results.Json(new { success = true }));
    }

    private static async Task<IResult> SendAsync(
        string phoneNumberId, HttpContext http, IOptionsMonitor<SimulatorOptions> options, SimulatorState state, StatusScheduler statuses)
    {
        var settings = options.CurrentValue;
        var number = settings.Numbers.FirstOrDefault(n => n.PhoneNumberId == phoneNumberId)
            ?? (settings.AcceptUnknownNumbers ? new SimulatedNumber { PhoneNumberId = phoneNumberId, AccessToken = http.Request.Headers.Authorization.ToString().Replace("Bearer ", "", StringComparison.Ordinal) } : null);
        if (number is null)
        {
            return Error(state, 400, 100, "Unsupported post request. Object with ID does not exist.");
        }

        if (http.Request.Headers.Authorization != $"Bearer {number.AccessToken}")
        {
            return Error(state, 401, 190, "Error validating access token: Session has expired.", 463);
        }

        var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject;
        if (await FaultAsync(settings.Faults, http, state) is { } fault)
        {
            return fault;
        }

        if (body?["status"]?.GetValue<string>() == "read")
        {
            MarkRead(state, number, body["message_id"]?.GetValue<string>(), body["typing_indicator"]?["type"]?.GetValue<string>() == "text");
            return Results.Json(new { success = true });
        }

        var to = body?["to"]?.GetValue<string>() ?? body?["recipient"]?.GetValue<string>();
        var type = body?["type"]?.GetValue<string>();
        if (body is null || to is null || type is null || body[type] is null)
        {
            return Error(state, 400, 131008, "Required parameter is missing");
        }

        var customer = string.Concat(to.Where(char.IsAsciiDigit));
        if (!state.TryTakeThroughput(phoneNumberId, settings.MessagesPerSecond))
        {
            state.CountThrottled(phoneNumberId);
            return Error(state, 400, 130429, "Rate limit hit");
        }

        if (!state.TryTakePair(phoneNumberId, customer, settings.PairBurst))
        {
            return Error(state, 400, 131056, "(Business Account, Consumer Account) pair rate limit hit");
        }

        var wamid = Payloads.NewWamid();
        state.CountAccepted(phoneNumberId, wamid);
        state.Log(phoneNumberId, customer, new ChatLine
        {
            Wamid = wamid,
            From = "business",
            Type = type,
            Summary = Summarise(type, body[type]!),
            MediaId = body[type]?["id"]?.GetValue<string>(),
            Buttons = Buttons(body),
            Status = "accepted",
        });
        statuses.Schedule(number, wamid, customer, type);
        return Results.Json(new
        {
            messaging_product = "whatsapp",
            contacts = new[] { new { input = to, wa_id = customer } },
            messages = new[] { new { id = wamid } },
        });
    }

    private static async Task<IResult> UploadAsync(string phoneNumberId, HttpContext http, IOptionsMonitor<SimulatorOptions> options, SimulatorState state)
    {
        var number = options.CurrentValue.Numbers.FirstOrDefault(n => n.PhoneNumberId == phoneNumberId);
        if (number is null || http.Request.Headers.Authorization != $"Bearer {number.AccessToken}")
        {
            return Error(state, 401, 190, "Error validating access token: Session has expired.", 463);
        }

        var form = await http.Request.ReadFormAsync();
        if (form["messaging_product"] != "whatsapp" || form.Files["file"] is not { } file)
        {
            return Error(state, 400, 131053, "Media upload error");
        }

        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes);
        var id = NewMediaId();
        state.Media[id] = new StoredMedia(bytes.ToArray(), file.ContentType, file.FileName);
        return Results.Json(new { id });
    }

    /// <summary>
    /// GET /{media-id} (a media URL valid for a while) or GET /{phone-number-id} (the number, as Switchboard asks
    /// when a number is connected). Like Meta: a token nobody issued is 190; a good token asking for a number it
    /// cannot see (another business's, or one that does not exist) is 100.
    /// </summary>
    private static IResult GetObject(string id, HttpContext http, IOptionsMonitor<SimulatorOptions> options, SimulatorState state, SimulatorUrls urls)
    {
        var settings = options.CurrentValue;
        var bearer = http.Request.Headers.Authorization.ToString();
        var token = bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer["Bearer ".Length..] : "";
        var tokenKnown = token.Length > 0 && settings.Numbers.Any(n => n.AccessToken == token);
        if (state.Media.TryGetValue(id, out var media))
        {
            return !tokenKnown
                ? Error(state, 401, 190, "Error validating access token: Session has expired.", 463)
                : Results.Json(new
                {
                    messaging_product = "whatsapp",
                    url = urls.MediaDownload(http, id),
                    mime_type = media.MimeType,
                    sha256 = Convert.ToBase64String(SHA256.HashData(media.Bytes)),
                    file_size = media.Bytes.Length,
                    id,
                });
        }

        var number = settings.Numbers.FirstOrDefault(n => n.PhoneNumberId == id);
        if (number is null && settings.AcceptUnknownNumbers && token.Length > 0)
        {
            // Load tests: any number with any token is a number of its own (as for sends).
            number = new SimulatedNumber { PhoneNumberId = id, AccessToken = token, VerifiedName = "Load Test" };
        }

        if (number is not null && number.AccessToken == token)
        {
            return Results.Json(new { verified_name = number.VerifiedName, display_phone_number = number.DisplayPhoneNumber, id = number.PhoneNumberId, quality_rating = "GREEN", status = "CONNECTED", throughput = new { level = "STANDARD" } });
        }

        return tokenKnown
            ? Error(state, 404, 100, $"Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", 33)
            : Error(state, 401, 190, "Error validating access token: Session has expired.", 463);
    }

    private static IResult PhoneNumbers(string wabaId, IOptionsMonitor<SimulatorOptions> options) => Results.Json(new
    {
        data = options.CurrentValue.Numbers.Where(n => n.WabaId == wabaId)
            .Select(n => new { verified_name = n.VerifiedName, display_phone_number = n.DisplayPhoneNumber, id = n.PhoneNumberId, quality_rating = "GREEN" }),
    });

    public static IResult Download(string id, HttpContext http, IOptionsMonitor<SimulatorOptions> options, SimulatorState state) =>
        !options.CurrentValue.Numbers.Any(n => http.Request.Headers.Authorization == $"Bearer {n.AccessToken}")
            ? Results.StatusCode(401)
            : state.Media.TryGetValue(id, out var media) ? Results.Bytes(media.Bytes, media.MimeType) : Results.NotFound();

    public static string NewMediaId() => RandomNumberGenerator.GetInt32(100_000_000, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture)
        + RandomNumberGenerator.GetInt32(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<IResult?> FaultAsync(FaultOptions faults, HttpContext http, SimulatorState state)
    {
        if (faults.LatencyMilliseconds > 0)
        {
            await Task.Delay(faults.LatencyMilliseconds, http.RequestAborted);
        }

        if (Random.Shared.NextDouble() < faults.DropRate)
        {
            http.Abort();
            return Results.Empty;
        }

        if (Random.Shared.NextDouble() < faults.TooManyRequestsRate)
        {
            return Error(state, 429, 130429, "Rate limit hit");
        }

        return Random.Shared.NextDouble() < faults.ServerErrorRate ? Error(state, 503, 131016, "Service unavailable") : null;
    }

    /// <summary>Marks the customer's message read; with <c>typing_indicator</c> the phone also shows "typing…" (Meta clears it after 25 s or on the reply).</summary>
    private static void MarkRead(SimulatorState state, SimulatedNumber number, string? wamid, bool typing)
    {
        foreach (var chat in state.Chats.Where(c => c.Key.Number == number.PhoneNumberId).Select(c => c.Value))
        {
            lock (chat)
            {
                foreach (var line in chat.Where(l => l.Wamid == wamid))
                {
                    line.Status = "read by business";
                    line.TypingShownAt = typing ? DateTimeOffset.UtcNow : line.TypingShownAt;
                }
            }
        }
    }

    private static IResult Error(SimulatorState state, int status, int code, string message, int? subcode = null)
    {
        state.CountError(code);
        var error = new Dictionary<string, object?>
        {
            ["message"] = message,
            ["type"] = code == 190 ? "OAuthException" : "OAuthException",
            ["code"] = code,
            ["error_data"] = new { messaging_product = "whatsapp", details = message },
            ["fbtrace_id"] = "A" + Guid.NewGuid().ToString("N")[..22],
        };
        if (subcode is not null)
        {
            error["error_subcode"] = subcode;
        }

        return Results.Json(new { error }, statusCode: status);
    }

    private static string Summarise(string type, JsonNode content) => type switch
    {
        "text" => content["body"]?.GetValue<string>() ?? "",
        "reaction" => "reacted " + content["emoji"]?.GetValue<string>(),
        "interactive" => content["body"]?["text"]?.GetValue<string>() ?? "[interactive]",
        _ => $"[{type}] {content["caption"]?.GetValue<string>()}".Trim(),
    };

    private static List<ChatButton> Buttons(JsonObject body)
    {
        var action = body["interactive"]?["action"];
        if (action?["buttons"] is JsonArray buttons)
        {
            return [.. buttons.Select(b => new ChatButton(b!["reply"]!["id"]!.GetValue<string>(), b["reply"]!["title"]!.GetValue<string>(), "button_reply"))];
        }

        return action?["sections"] is JsonArray sections
            ? [.. sections.SelectMany(s => s!["rows"]!.AsArray()).Select(r => new ChatButton(r!["id"]!.GetValue<string>(), r["title"]!.GetValue<string>(), "list_reply"))]
            : [];
    }

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);
}
