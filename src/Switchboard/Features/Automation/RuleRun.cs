using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Assistant;
using Switchboard.Features.Conversations;
using Switchboard.Features.Routing;
using Switchboard.Features.Workspace;

namespace Switchboard.Features.Automation;

/// <summary>
/// The tenant's enabled rules for one queued event, in order (ADR 0028). A rule runs at most once per event: its
/// run row is keyed by (job, rule), and the actions are idempotent (sets, and idempotency keys for messages), so a
/// retried job repeats nothing twice. Message text is opened in memory for "text contains" only.
/// </summary>
internal sealed class RuleRun(AutomationRunner runner, AutomationJob job)
{
    private string? text;
    private bool textRead;
    private ContactProfile? profile;
    private bool profileRead;

    public async Task RunAsync(CancellationToken ct)
    {
        var events = RuleEvents.Of(job.Trigger);
        List<AutomationRule> rules;
        HashSet<Guid> done;
        await using (var db = await runner.ContextAsync(ct))
        {
            rules = await db.AutomationRules.AsNoTracking()
                .Where(r => r.TenantId == job.TenantId && r.Enabled && events.Contains(r.Event))
                .OrderBy(r => r.Position).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id)
                .ToListAsync(ct);
            done = rules.Count == 0 ? [] : [.. await db.AutomationRuns.Where(r => r.TenantId == job.TenantId && r.JobId == job.Id).Select(r => r.RuleId).ToListAsync(ct)];
        }

        foreach (var rule in rules.Where(r => !done.Contains(r.Id)))
        {
            await using var db = await runner.ContextAsync(ct);
            var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == job.TenantId && c.Id == job.ConversationId, ct);
            if (conversation is null)
            {
                return;
            }

            if (!await MatchesAsync(db, conversation, RuleJson.Read<RuleCondition>(rule.Conditions), ct))
            {
                continue;
            }

            var taken = new List<string>();
            var actions = RuleJson.Read<RuleAction>(rule.Actions);
            for (var i = 0; i < actions.Count; i++)
            {
                taken.Add(await ActAsync(rule, actions[i], i, ct) ? actions[i].Type! : "!" + actions[i].Type);
            }

            db.AutomationRuns.Add(new AutomationRun
            {
                TenantId = job.TenantId,
                Id = Guid.CreateVersion7(runner.Clock.GetUtcNow()),
                RuleId = rule.Id,
                JobId = job.Id,
                ConversationId = job.ConversationId,
                Event = rule.Event,
                At = runner.Clock.GetUtcNow(),
                Actions = string.Join(',', taken),
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (ex.IsUniqueViolation())
            {
                // An earlier attempt of this job recorded it already.
            }
        }
    }

    private async Task<bool> MatchesAsync(SwitchboardDbContext db, Conversation conversation, IReadOnlyList<RuleCondition> conditions, CancellationToken ct)
    {
        foreach (var condition in conditions)
        {
            var holds = condition.Type switch
            {
                RuleConditionTypes.TextContains => await TextAsync(db, ct) is { } body && body.Contains(condition.Value!, StringComparison.OrdinalIgnoreCase),
                RuleConditionTypes.Attribute => await AttributeAsync(db, conversation, condition.Key!, ct) is { } value
                    && string.Equals(value, condition.Value, StringComparison.OrdinalIgnoreCase),
                RuleConditionTypes.Team => conversation.TeamId == condition.TeamId,
                RuleConditionTypes.Channel => conversation.ChannelId == condition.ChannelId,
                RuleConditionTypes.Label => job.Trigger == AutomationTrigger.LabelAdded
                    ? job.LabelId == condition.LabelId
                    : await db.ConversationLabels.AnyAsync(l => l.TenantId == conversation.TenantId && l.ConversationId == conversation.Id && l.LabelId == condition.LabelId, ct),
                RuleConditionTypes.BusinessHours => await BusinessHours.ScheduleAsync(db, conversation.TenantId, condition.CalendarId!.Value, ct) is { } schedule
                    && BusinessClock.IsOpen(job.At, schedule) == (condition.Open ?? true),
                RuleConditionTypes.Sentiment => job.MessageId is { } messageId
                    && await SentimentReadings.MessageLabelAsync(db, job.TenantId, messageId, ct) == condition.Value,
                RuleConditionTypes.SentimentTrend => await SentimentReadings.TrendScoreAsync(db, job.TenantId, conversation.Id, ct) is { } trend
                    && trend < condition.Below,
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The message of the event (message events only).</summary>
    private async Task<string?> TextAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        if (!textRead && job.MessageId is { } messageId)
        {
            text = await runner.MessageTextAsync(db, job.TenantId, messageId, ct);
        }

        textRead = true;
        return text;
    }

    private async Task<string?> AttributeAsync(SwitchboardDbContext db, Conversation conversation, string key, CancellationToken ct)
    {
        var found = await ProfileOfAsync(db, conversation, ct);
        return ContactAttributes.Parse(found?.AttributesJson)[key] is { } value ? value.ToString() : null;
    }

    private async Task<ContactProfile?> ProfileOfAsync(SwitchboardDbContext db, Conversation conversation, CancellationToken ct)
    {
        if (!profileRead)
        {
            profile = await runner.ProfileAsync(db, conversation.TenantId, conversation.ContactId, ct);
            profileRead = true;
        }

        return profile;
    }

    /// <summary>Takes one action; false when it could not be taken (its target was deleted since, the window closed).</summary>
    private async Task<bool> ActAsync(AutomationRule rule, RuleAction action, int index, CancellationToken ct)
    {
        var key = $"rule:{job.Id}:{rule.Id}:{index}";
        switch (action.Type)
        {
            case RuleActionTypes.SendCannedResponse:
                {
                    string? body;
                    Guid contactId;
                    await using (var db = await runner.ContextAsync(ct))
                    {
                        body = await db.CannedResponses.AsNoTracking()
                            .Where(c => c.TenantId == job.TenantId && c.Id == action.CannedResponseId && c.OwnerUserId == null).Select(c => c.Text).FirstOrDefaultAsync(ct);
                        contactId = await db.Conversations.Where(c => c.TenantId == job.TenantId && c.Id == job.ConversationId).Select(c => c.ContactId).FirstAsync(ct);
                        if (body is not null)
                        {
                            body = CannedText.Render(body, (await runner.ProfileAsync(db, job.TenantId, contactId, ct))?.ShownName, null);
                        }
                    }

                    return body is not null && await runner.SendAsync(job.TenantId, job.ConversationId, "text", body, key, rule.Id, ct);
                }

            case RuleActionTypes.AddNote:
                return await runner.SendAsync(job.TenantId, job.ConversationId, "note", action.Text!, key, rule.Id, ct);
        }

        await using var rdb = await runner.ContextForRuleAsync(rule.Id, ct);
        var conversation = await rdb.Conversations.FirstAsync(c => c.TenantId == job.TenantId && c.Id == job.ConversationId, ct);
        var now = runner.Clock.GetUtcNow();
        switch (action.Type)
        {
            case RuleActionTypes.AssignTeam:
                if (!await rdb.Teams.AnyAsync(t => t.TenantId == job.TenantId && t.Id == action.TeamId, ct))
                {
                    return false;
                }

                if (conversation.TeamId != action.TeamId && conversation.Status != ConversationStatus.Resolved)
                {
                    await runner.Ledger.TransferAsync(rdb, conversation, null, action.TeamId, null, [], now, ct);
                }

                return true;
            case RuleActionTypes.AddLabel:
                if (!await rdb.Labels.AnyAsync(l => l.TenantId == job.TenantId && l.Id == action.LabelId, ct))
                {
                    return false;
                }

                var labels = await rdb.ConversationLabels.Where(l => l.TenantId == job.TenantId && l.ConversationId == job.ConversationId).Select(l => l.LabelId).ToListAsync(ct);
                await ConversationLedger.SetLabelsAsync(rdb, conversation, [.. labels.Append(action.LabelId!.Value).Distinct()], now, ct);
                return true;
            case RuleActionTypes.SetPriority:
                await ConversationLedger.SetPriorityAsync(rdb, conversation, action.Priority!, now, ct);
                return true;
            case RuleActionTypes.Resolve:
                if (conversation.Status != ConversationStatus.Resolved)
                {
                    await runner.Ledger.SetStatusAsync(rdb, conversation, ConversationStatus.Resolved, now, ct);
                }

                return true;
            default:
                return false;
        }
    }
}
