using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Switchboard.Features.Transcripts;

/// <summary>
/// A transcript as a printable page (ADR 0031): its own CSS, laid out for paper, no script and no external
/// resource; every value from a message or a profile is HTML-encoded, so planted markup stays text.
/// </summary>
internal static class TranscriptHtml
{
    /// <summary>Served with the page: nothing loads or runs but its inline style.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private const string Style = """
        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
        h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1.5rem; color: #57606a; }
        dl.meta dt { font-weight: 600; }
        dl.meta dd { margin: 0; }
        ol.messages { list-style: none; margin: 0; padding: 0; }
        li.message { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .75rem; margin: 0 0 .5rem; break-inside: avoid; page-break-inside: avoid; }
        li.inbound { background: #f6f8fa; margin-right: 15%; }
        li.outbound { background: #ddf4ff; margin-left: 15%; }
        li.note { background: #fff8c5; border-style: dashed; }
        .head { font-size: .8rem; color: #57606a; display: flex; gap: .75rem; flex-wrap: wrap; }
        .text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .25rem; }
        .media, .statuses { font-size: .8rem; color: #57606a; margin-top: .25rem; }
        .error { color: #cf222e; }
        footer { margin-top: 2rem; font-size: .75rem; color: #57606a; }
        @media print {
          body { margin: 0; max-width: none; font-size: 11pt; }
          li.inbound, li.outbound, li.note { background: none; }
          a { color: inherit; text-decoration: none; }
        }
        """;

    public static string Render(Transcript t)
    {
        var html = new StringBuilder(4096 + (t.Messages.Count * 512));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Conversation #").Append(t.Number.ToString(CultureInfo.InvariantCulture)).Append(" — transcript</title>\n")
            .Append("<style>").Append(Style).Append("</style>\n</head>\n<body>\n<header>\n")
            .Append("<h1>Conversation #").Append(t.Number.ToString(CultureInfo.InvariantCulture)).Append("</h1>\n<dl class=\"meta\">\n");
        Meta(html, "Customer", $"{t.Contact.Name ?? "(no name)"}{(t.Contact.WaId is { } waId ? $" (+{waId})" : "")}");
        Meta(html, "Status", t.Status);
        Meta(html, "Opened", Time(t.CreatedAt));
        Meta(html, "Last message", t.LastMessageAt is { } last ? Time(last) : "—");
        Meta(html, "Assignee", t.Assignment.AssigneeId?.ToString() ?? "—");
        Meta(html, "Team", t.Assignment.TeamId?.ToString() ?? "—");
        Meta(html, "Conversation id", t.Id.ToString());
        Meta(html, "Notes", t.IncludesNotes ? "included" : "not included");
        html.Append("</dl>\n</header>\n<main>\n<ol class=\"messages\">\n");
        foreach (var m in t.Messages)
        {
            html.Append("<li class=\"message ").Append(Encode(m.Direction)).Append("\">\n<div class=\"head\"><span>")
                .Append(m.Direction switch { "inbound" => "Customer", "note" => "Internal note", _ => "Reply" })
                .Append("</span><time datetime=\"").Append(m.Timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)).Append("\">").Append(Encode(Time(m.Timestamp))).Append("</time>")
                .Append("<span>").Append(Encode(m.Type)).Append("</span>");
            if (m.Direction == "outbound")
            {
                html.Append("<span>").Append(Encode(m.Status)).Append("</span>");
            }

            html.Append("</div>\n<div class=\"text\">").Append(Encode(m.Text ?? "")).Append("</div>\n");
            if (m.Error is { } error)
            {
                html.Append("<div class=\"error\">Failed").Append(error.Code is { } code ? $" ({code.ToString(CultureInfo.InvariantCulture)})" : "").Append(": ").Append(Encode(error.Title ?? "")).Append("</div>\n");
            }

            foreach (var media in m.Media)
            {
                html.Append("<div class=\"media\">Attachment: ").Append(Encode(media.Kind)).Append(' ').Append(Encode(media.MimeType ?? "")).Append(", id ").Append(media.Id.ToString())
                    .Append(media.Size is { } size ? $", {size.ToString(CultureInfo.InvariantCulture)} bytes" : "").Append(" (").Append(Encode(media.State)).Append(")</div>\n");
            }

            if (m.Statuses.Count > 0)
            {
                html.Append("<div class=\"statuses\">").Append(string.Join(" · ", m.Statuses.Select(s => Encode($"{s.Status} {Time(s.Timestamp)}")))).Append("</div>\n");
            }

            html.Append("</li>\n");
        }

        html.Append("</ol>\n</main>\n<footer>Generated ").Append(Encode(Time(t.GeneratedAt))).Append(" by Switchboard. Times are UTC.</footer>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Meta(StringBuilder html, string term, string value) =>
        html.Append("<dt>").Append(Encode(term)).Append("</dt><dd>").Append(Encode(value)).Append("</dd>\n");

    private static string Encode(string value) => Encoder.Encode(value);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
