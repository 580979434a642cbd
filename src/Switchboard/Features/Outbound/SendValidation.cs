using System.Globalization;
using System.Net.Http.Headers;

namespace Switchboard.Features.Outbound;

/// <summary>Meta's limits for each kind of reply, checked before anything is queued (400 with field errors).</summary>
internal static class SendValidation
{
    public const int MaxTextLength = 4096;
    public const int MaxCaptionLength = 1024;
    public const int MaxInteractiveBodyLength = 1024;
    public const int MaxHeaderLength = 60;
    public const int MaxFooterLength = 60;
    public const int MaxButtons = 3;
    public const int MaxButtonTitleLength = 20;
    public const int MaxButtonIdLength = 256;
    public const int MaxListButtonLength = 20;
    public const int MaxListSections = 10;
    public const int MaxListRows = 10;
    public const int MaxRowTitleLength = 24;
    public const int MaxRowDescriptionLength = 72;
    public const int MaxRowIdLength = 200;
    public const int MaxSectionTitleLength = 24;

    /// <summary>Room for any real file name; the sender puts it in a multipart header, so it must be one line of text.</summary>
    public const int MaxFileNameLength = 240;

    public static readonly HashSet<string> MediaKinds = ["image", "video", "audio", "document", "sticker"];

    private static readonly Dictionary<string, HashSet<string>> MediaTypes = new()
    {
        ["image"] = ["image/jpeg", "image/png"],
        ["video"] = ["video/mp4", "video/3gpp"],
        ["audio"] = ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"],
        ["document"] = ["text/plain", "application/pdf", "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"],
        ["sticker"] = ["image/webp"],
    };

    public static long MaxMediaBytes(string kind) => kind switch
    {
        "image" => 5L * 1024 * 1024,
        "sticker" => 500L * 1024,
        _ => 16L * 1024 * 1024,
    };

    public static Dictionary<string, string[]> Validate(SendRequest request, out byte[]? mediaBytes)
    {
        var errors = new Errors();
        mediaBytes = null;
        switch (request.Type)
        {
            case "text":
            case "note":
                errors.Text("text", request.Text, 1, MaxTextLength);
                break;
            case "reaction":
                if (request.Reaction?.MessageId is null)
                {
                    errors.Add("reaction.messageId", "The message to react to is required.");
                }

                if (request.Reaction?.Emoji is { } emoji && new StringInfo(emoji).LengthInTextElements > 1)
                {
                    errors.Add("reaction.emoji", "One emoji, or an empty string to remove the reaction.");
                }

                break;
            case "buttons":
                errors.Text("text", request.Text, 1, MaxInteractiveBodyLength);
                errors.Text("header", request.Header, 0, MaxHeaderLength, required: false);
                errors.Text("footer", request.Footer, 0, MaxFooterLength, required: false);
                ValidateButtons(request.Buttons, errors);
                break;
            case "list":
                errors.Text("text", request.Text, 1, MaxTextLength);
                errors.Text("header", request.Header, 0, MaxHeaderLength, required: false);
                errors.Text("footer", request.Footer, 0, MaxFooterLength, required: false);
                ValidateList(request.List, errors);
                break;
            case { } kind when MediaKinds.Contains(kind):
                mediaBytes = ValidateMedia(kind, request, errors);
                break;
            case null:
                errors.Add("type", "The type is required: text, image, video, audio, document, sticker, reaction, buttons, list or note.");
                break;
            default:
                errors.Add("type", $"Unknown type '{request.Type}'. Use text, image, video, audio, document, sticker, reaction, buttons, list or note.");
                break;
        }

        if (request.ReplyToMessageId is not null && request.Type is "reaction" or "note")
        {
            errors.Add("replyToMessageId", "Reactions and notes cannot quote a message.");
        }

        return errors.Result;
    }

    private static void ValidateButtons(IReadOnlyList<SendButton>? buttons, Errors errors)
    {
        if (buttons is null || buttons.Count == 0 || buttons.Count > MaxButtons)
        {
            errors.Add("buttons", $"Between 1 and {MaxButtons} buttons.");
            return;
        }

        for (var i = 0; i < buttons.Count; i++)
        {
            errors.Text($"buttons[{i}].id", buttons[i].Id, 1, MaxButtonIdLength);
            errors.Text($"buttons[{i}].title", buttons[i].Title, 1, MaxButtonTitleLength);
        }

        if (buttons.Select(b => b.Id).Distinct().Count() != buttons.Count)
        {
            errors.Add("buttons", "Button ids must be unique.");
        }

        if (buttons.Select(b => b.Title).Distinct().Count() != buttons.Count)
        {
            errors.Add("buttons", "Button titles must be unique.");
        }
    }

    private static void ValidateList(SendList? list, Errors errors)
    {
        if (list is null)
        {
            errors.Add("list", "The list (button and sections) is required.");
            return;
        }

        errors.Text("list.button", list.Button, 1, MaxListButtonLength);
        var sections = list.Sections ?? [];
        if (sections.Count == 0 || sections.Count > MaxListSections)
        {
            errors.Add("list.sections", $"Between 1 and {MaxListSections} sections.");
            return;
        }

        var rows = 0;
        for (var s = 0; s < sections.Count; s++)
        {
            errors.Text($"list.sections[{s}].title", sections[s].Title, sections.Count > 1 ? 1 : 0, MaxSectionTitleLength, required: sections.Count > 1);
            var sectionRows = sections[s].Rows ?? [];
            if (sectionRows.Count == 0)
            {
                errors.Add($"list.sections[{s}].rows", "A section needs at least one row.");
            }

            for (var r = 0; r < sectionRows.Count; r++)
            {
                errors.Text($"list.sections[{s}].rows[{r}].id", sectionRows[r].Id, 1, MaxRowIdLength);
                errors.Text($"list.sections[{s}].rows[{r}].title", sectionRows[r].Title, 1, MaxRowTitleLength);
                errors.Text($"list.sections[{s}].rows[{r}].description", sectionRows[r].Description, 0, MaxRowDescriptionLength, required: false);
            }

            rows += sectionRows.Count;
        }

        if (rows > MaxListRows)
        {
            errors.Add("list.sections", $"At most {MaxListRows} rows in all sections together.");
        }

        var ids = sections.SelectMany(s => s.Rows ?? []).Select(r => r.Id).ToList();
        if (ids.Distinct().Count() != ids.Count)
        {
            errors.Add("list.sections", "Row ids must be unique.");
        }
    }

    private static byte[]? ValidateMedia(string kind, SendRequest request, Errors errors)
    {
        if (kind is "audio" or "sticker" && request.Text is not null)
        {
            errors.Add("text", $"A {kind} has no caption.");
        }
        else
        {
            errors.Text("text", request.Text, 0, MaxCaptionLength, required: false);
        }

        var media = request.Media;
        if (media is null)
        {
            errors.Add("media", "The file is required: media.data (base64), media.mimeType, and media.fileName for documents.");
            return null;
        }

        // The whole value must parse as the sender will parse it for the upload, parameters included.
        var mime = MediaTypeHeaderValue.TryParse(media.MimeType, out var parsed) ? parsed.MediaType?.ToLowerInvariant() : null;
        if (mime is null || !MediaTypes[kind].Contains(mime))
        {
            errors.Add("media.mimeType", $"WhatsApp accepts {string.Join(", ", MediaTypes[kind])} for {kind}.");
        }

        // Every kind may name its file (the upload carries it), documents must.
        errors.Text("media.fileName", media.FileName, 1, MaxFileNameLength, required: kind == "document");
        if (FileNameProblem(media.FileName) is { } problem)
        {
            errors.Add("media.fileName", problem);
        }

        byte[]? bytes = null;
        if (string.IsNullOrEmpty(media.Data))
        {
            errors.Add("media.data", "The file's bytes, base64-encoded, are required.");
        }
        else
        {
            try
            {
                bytes = Convert.FromBase64String(media.Data);
            }
            catch (FormatException)
            {
                errors.Add("media.data", "Not valid base64.");
            }
        }

        if (bytes is { Length: 0 } || bytes?.LongLength > MaxMediaBytes(kind))
        {
            errors.Add("media.data", $"A {kind} must be between 1 byte and {MaxMediaBytes(kind) / 1024} KB.");
        }

        return bytes;
    }

    /// <summary>A file name is a name, not a path, and one line: no separators, control or invisible formatting characters, no lone surrogates.</summary>
    internal static string? FileNameProblem(string? fileName)
    {
        if (fileName is null)
        {
            return null;
        }

        if (fileName.Any(c => c is '/' or '\\') || fileName.Trim() is "." or "..")
        {
            return "A file name, not a path: no / or \\.";
        }

        if (fileName.Any(c => char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator) || fileName.Contains('"'))
        {
            return "No control characters, line breaks, quotes or invisible formatting characters.";
        }

        for (var i = 0; i < fileName.Length; i++)
        {
            if (char.IsHighSurrogate(fileName[i]) && i + 1 < fileName.Length && char.IsLowSurrogate(fileName[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(fileName[i]))
            {
                return "Not valid text.";
            }
        }

        return fileName != fileName.Trim() ? "No spaces at the start or end." : null;
    }

    private sealed class Errors
    {
        public Dictionary<string, string[]> Result { get; } = [];

        public void Add(string field, string message) =>
            Result[field] = Result.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

        public void Text(string field, string? value, int min, int max, bool required = true)
        {
            if (value is null)
            {
                if (required)
                {
                    Add(field, "This field is required.");
                }

                return;
            }

            if (value.Length < min || value.Length > max || (min > 0 && string.IsNullOrWhiteSpace(value)))
            {
                Add(field, min > 0 ? $"Between {min} and {max} characters." : $"At most {max} characters.");
            }
        }
    }
}
