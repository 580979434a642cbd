using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Transcripts;

/// <summary>The audited transcript and archive actions (every read of a transcript is an access of customer data).</summary>
internal static class TranscriptsAudit
{
    public const string TranscriptViewed = "transcript.viewed";
    public const string ArchiveCreated = "archive.created";
    public const string ArchiveDownloaded = "archive.downloaded";
}

/// <summary><c>GET …/conversations/{id}/transcript?format=html|json&amp;notes=true|false</c> (ADR 0031).</summary>
internal static class TranscriptsApi
{
    public static async Task<Results<ContentHttpResult, FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAsync(
        Guid tenantId, Guid conversationId, string? format, string? notes, SwitchboardDbContext db, TranscriptBuilder builder, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        format ??= "html";
        if (format is not ("html" or "json"))
        {
            errors["format"] = ["Either html or json."];
        }

        var withNotes = false;
        if (notes is not null && !bool.TryParse(notes, out withNotes))
        {
            errors["notes"] = ["Either true or false."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var transcript = await builder.BuildAsync(db, tenantId, conversationId, withNotes, ct);
        if (transcript is null)
        {
            return Problems.NotFound();
        }

        await AuditLog.RecordAsync(
            db, tenantId, AuditActor.From(http), TranscriptsAudit.TranscriptViewed, $"conversation:{conversationId}", new { format, notes = withNotes, messages = transcript.Messages.Count }, clock.GetUtcNow(), ct);
        http.Response.Headers.CacheControl = "no-store";
        if (format == "json")
        {
            return TypedResults.File(TranscriptBuilder.ToJson(transcript), "application/json");
        }

        http.Response.Headers.ContentSecurityPolicy = TranscriptHtml.ContentSecurityPolicy;
        http.Response.Headers.ContentDisposition = $"inline; filename=\"conversation-{transcript.Number}.html\"";
        return TypedResults.Content(TranscriptHtml.Render(transcript), "text/html; charset=utf-8", Encoding.UTF8);
    }
}
