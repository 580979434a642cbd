using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Satisfaction;

/// <summary>The audited satisfaction actions.</summary>
internal static class SatisfactionAudit
{
    public const string SettingsChanged = "satisfaction.settings_changed";
    public const string ConversationReviewed = "conversation.reviewed";
}

/// <summary>A tenant's survey settings, and a conversation's survey as the API and dashboard show it (ADR 0031).</summary>
internal static class SatisfactionApi
{
    public sealed record SettingsBody(bool? Enabled, string? Question, string? Format);

    public sealed record SurveyResponse(Guid ConversationId, string Status, int? Score, DateTimeOffset? SentAt, DateTimeOffset? AnsweredAt, Guid? AgentId);

    public static async Task<Ok<SettingsBody>> GetSettingsAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(ToBody(await db.SatisfactionSettings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId, ct) ?? new SatisfactionSettings()));

    /// <summary>Changes the settings named (the others stay), audited; bad input changes nothing.</summary>
    public static async Task<Results<Ok<SettingsBody>, ValidationProblem>> UpdateSettingsAsync(
        Guid tenantId, SettingsBody request, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Question is { } question && (string.IsNullOrWhiteSpace(question) || question.Length > 1024))
        {
            errors["question"] = ["From 1 to 1024 characters, not blank."];
        }

        SurveyFormat? format = request.Format switch
        {
            null => null,
            "list" => SurveyFormat.List,
            "buttons" => SurveyFormat.Buttons,
            _ => null,
        };
        if (request.Format is not null && format is null)
        {
            errors["format"] = ["Either \"list\" (five scores) or \"buttons\" (three: 1, 3, 5)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        var settings = await db.SatisfactionSettings.FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (settings is null)
        {
            settings = new SatisfactionSettings { TenantId = tenantId };
            db.SatisfactionSettings.Add(settings);
        }

        var before = ToBody(settings);
        settings.Enabled = request.Enabled ?? settings.Enabled;
        settings.Question = request.Question?.Trim() ?? settings.Question;
        settings.Format = format ?? settings.Format;
        settings.UpdatedAt = now;
        var after = ToBody(settings);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), SatisfactionAudit.SettingsChanged, "satisfaction", new { from = before, to = after }, now, ct);
        return TypedResults.Ok(after);
    }

    /// <summary>The conversation's survey: <c>none</c> when none was planned.</summary>
    public static async Task<Results<Ok<SurveyResponse>, ProblemHttpResult>> GetSurveyAsync(Guid tenantId, Guid conversationId, SwitchboardDbContext db, CancellationToken ct)
    {
        if (!await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct))
        {
            return Problems.NotFound();
        }

        var survey = await SurveyOfAsync(db, tenantId, conversationId, ct);
        return TypedResults.Ok(survey);
    }

    public static async Task<SurveyResponse> SurveyOfAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        var survey = await db.CsatSurveys.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId && s.ConversationId == conversationId, ct);
        return survey is null
            ? new SurveyResponse(conversationId, "none", null, null, null, null)
            : new SurveyResponse(conversationId, survey.State.ToString().ToLowerInvariant(), survey.Score, survey.SentAt, survey.AnsweredAt, survey.AgentId);
    }

    private static SettingsBody ToBody(SatisfactionSettings s) => new(s.Enabled, s.Question, s.Format.ToString().ToLowerInvariant());
}
