using System.Net.Http.Headers;

namespace Switchboard.Features.Media;

/// <summary>
/// How an attachment is handed to a browser. A customer chooses both the bytes and the announced mime
/// type, so neither decides on its own what the dashboard's origin renders: only bytes that ARE a JPEG,
/// PNG or WebP picture, or audio or video, are shown inline, with the type their magic numbers name.
/// Everything else is a download; HTML, SVG, XML and script never leave as their own type.
/// </summary>
internal static class MediaServing
{
    public const string OctetStream = "application/octet-stream";

    /// <summary>
    /// Announced types a download keeps: the document types WhatsApp carries. A picture, audio or video
    /// whose bytes are not one, and anything else (text/html, image/svg+xml, XML, scripts, unknown),
    /// downloads as octet-stream.
    /// </summary>
    private static readonly HashSet<string> DocumentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "text/plain",
        "text/csv",
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    };

    public readonly record struct Served(string ContentType, bool Inline);

    public static Served For(ReadOnlySpan<byte> bytes, string? announced) =>
        Sniff(bytes) is { } inline ? new Served(inline, Inline: true) : new Served(DownloadType(announced), Inline: false);

    /// <summary>The inline type the bytes' magic numbers name, or null when they are nothing shown inline.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (b.Length >= 12 && b.StartsWith("RIFF"u8))
        {
            return b[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
                : b[8..12].SequenceEqual("WAVE"u8) ? "audio/wav"
                : null;
        }

        if (b.StartsWith("OggS"u8))
        {
            return "audio/ogg"; // WhatsApp voice notes: Opus in Ogg.
        }

        if (b.StartsWith("#!AMR"u8))
        {
            return "audio/amr";
        }

        if (b.StartsWith("ID3"u8) || (b.Length >= 2 && b[0] == 0xFF && (b[1] & 0xE0) == 0xE0 && (b[1] & 0x06) != 0))
        {
            return "audio/mpeg"; // An ID3 tag, or an MPEG audio frame sync naming layer I, II or III.
        }

        if (b.Length >= 2 && b[0] == 0xFF && (b[1] & 0xF6) == 0xF0)
        {
            return "audio/aac"; // ADTS frame sync (layer bits 00).
        }

        if (b.Length >= 12 && b[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = b[8..12];
            return brand.SequenceEqual("M4A "u8) || brand.SequenceEqual("M4B "u8) ? "audio/mp4"
                : brand.StartsWith("3g"u8) ? "video/3gpp"
                : "video/mp4";
        }

        return b.StartsWith((ReadOnlySpan<byte>)[0x1A, 0x45, 0xDF, 0xA3]) ? "video/webm" : null;
    }

    /// <summary>The announced type without parameters when it is a known document type, else octet-stream.</summary>
    public static string DownloadType(string? announced) =>
        MediaTypeHeaderValue.TryParse(announced, out var parsed) && parsed.MediaType is { } type && DocumentTypes.Contains(type)
            ? type.ToLowerInvariant()
            : OctetStream;
}
