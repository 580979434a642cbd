using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Satisfaction;

/// <summary>
/// Satisfaction's part in a conversation's changes (ADR 0031): resolving inside the customer-service window
/// plans the conversation's one survey in the resolving transaction; a customer's reply naming a sent
/// survey records its score in the same transaction as the message.
/// </summary>
internal sealed class SatisfactionStep(SurveySignal signal, TimeProvider clock) : IConversationStep
{
    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var resolved = changes.Where(c => c.Cause == ConversationCause.Resolved && c.Conversation.WindowExpiresAt > c.At).ToList();
        if (resolved.Count > 0)
        {
            await PlanSurveysAsync(db, resolved, ct);
        }

        foreach (var change in changes.Where(c => SurveyReplies.IsAnswer(c.ReplyId)))
        {
            await RecordAnswerAsync(db, change, ct);
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
        if (changes.Any(c => c.Cause == ConversationCause.Resolved))
        {
            signal.Signal.Notify();
        }
    }

    /// <summary>The reply id of a score: <c>csat:{surveyId:N}:{score}</c>.</summary>
    public static string ReplyId(Guid surveyId, int score) => $"{SurveyReplies.Prefix}{surveyId:N}:{score.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string replyId, out Guid surveyId, out int score)
    {
        (surveyId, score) = (Guid.Empty, 0);
        var parts = replyId[SurveyReplies.Prefix.Length..].Split(':');
        return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out surveyId)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out score) && score is >= 1 and <= 5;
    }

    private async Task PlanSurveysAsync(SwitchboardDbContext db, List<ConversationChange> resolved, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        foreach (var tenant in resolved.GroupBy(c => c.Conversation.TenantId))
        {
            var settings = await db.SatisfactionSettings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenant.Key, ct);
            if (settings is not { Enabled: true })
            {
                continue;
            }

            var ids = tenant.Select(c => c.Conversation.Id).Distinct().ToList();
            var surveyed = await db.CsatSurveys.Where(s => s.TenantId == tenant.Key && ids.Contains(s.ConversationId)).Select(s => s.ConversationId).ToListAsync(ct);
            var taken = surveyed.ToHashSet();
            foreach (var (conversation, _, at) in tenant)
            {
                // Once per conversation: resolving it again after a reopen sends nothing new.
                if (!taken.Add(conversation.Id))
                {
                    continue;
                }

                db.CsatSurveys.Add(new CsatSurvey
                {
                    TenantId = conversation.TenantId,
                    ConversationId = conversation.Id,
                    Id = Guid.CreateVersion7(now),
                    State = SurveyState.Pending,
                    AgentId = conversation.AssignedUserId,
                    TeamId = conversation.TeamId,
                    ResolvedAt = at,
                    DueAt = now,
                    CreatedAt = now,
                });
            }
        }
    }

    private static async Task RecordAnswerAsync(SwitchboardDbContext db, ConversationChange change, CancellationToken ct)
    {
        if (!TryParse(change.ReplyId!, out var surveyId, out var score))
        {
            return;
        }

        var conversation = change.Conversation;
        var survey = db.CsatSurveys.Local.FirstOrDefault(s => s.TenantId == conversation.TenantId && s.ConversationId == conversation.Id)
            ?? await db.CsatSurveys.FirstOrDefaultAsync(s => s.TenantId == conversation.TenantId && s.ConversationId == conversation.Id, ct);

        // Only the survey this conversation was sent, and only its first answer counts.
        if (survey is not { State: SurveyState.Sent } || survey.Id != surveyId)
        {
            return;
        }

        survey.Score = score;
        survey.AnsweredAt = change.At;
        survey.State = SurveyState.Answered;
    }
}
