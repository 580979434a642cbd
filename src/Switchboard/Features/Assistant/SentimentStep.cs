using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Assistant;

/// <summary>
/// Scores every customer message as it is stored, in the writer's transaction (ADR 0035), when the tenant's assistant
/// is on: a row per message and the conversation's trend (half the last score, half the trend before it).
/// The text is opened in memory only; the local lexicon model runs whatever the provider, so nothing leaves the process.
/// </summary>
internal sealed class SentimentStep(ContactKeys contactKeys) : IConversationStep
{
    private static readonly ConversationCause[] Inbound = [ConversationCause.Opened, ConversationCause.Reopened, ConversationCause.CustomerMessage];

    public async Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
    {
        var inbound = changes.Where(c => c.MessageId is not null && Inbound.Contains(c.Cause)).ToList();
        if (inbound.Count == 0)
        {
            return;
        }

        var tenants = inbound.Select(c => c.Conversation.TenantId).Distinct().ToList();
        var enabled = await db.AssistantSettings.AsNoTracking().Where(s => tenants.Contains(s.TenantId) && s.Enabled).Select(s => s.TenantId).ToListAsync(ct);
        foreach (var tenant in inbound.Where(c => enabled.Contains(c.Conversation.TenantId)).GroupBy(c => c.Conversation.TenantId))
        {
            // A contact who restricted processing or objected is not scored (ADR 0032, 0046).
            var restricted = await ContactRestrictions.RestrictedSinceAsync(db, tenant.Key, [.. tenant.Select(c => c.Conversation.ContactId).Distinct()], ct);
            foreach (var change in tenant.Where(c => !restricted.ContainsKey(c.Conversation.ContactId)))
            {
                await ScoreAsync(db, change, ct);
            }
        }
    }

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
    }

    private async Task ScoreAsync(SwitchboardDbContext db, ConversationChange change, CancellationToken ct)
    {
        var conversation = change.Conversation;
        var messageId = change.MessageId!.Value;
        var message = change.Message ?? db.Messages.Local.FirstOrDefault(m => m.TenantId == conversation.TenantId && m.Id == messageId)
            ?? await db.Messages.FirstOrDefaultAsync(m => m.TenantId == conversation.TenantId && m.Id == messageId, ct);
        if (message is null || db.MessageSentiments.Local.Any(s => s.TenantId == message.TenantId && s.MessageId == message.Id))
        {
            return;
        }

        var contact = db.Contacts.Local.FirstOrDefault(c => c.TenantId == message.TenantId && c.Id == message.ContactId)
            ?? await db.Contacts.FirstOrDefaultAsync(c => c.TenantId == message.TenantId && c.Id == message.ContactId, ct);
        string text;
        try
        {
            if (contact?.DataKey is null)
            {
                return;
            }

            text = Sealer.OpenString(await contactKeys.KeyOfAsync(contact, ct), message.SealContext(nameof(Message.Text)), message.Text);
        }
        catch (CryptographicException)
        {
            return;
        }

        var sentiment = SentimentModel.Score(text);
        db.MessageSentiments.Add(new MessageSentiment
        {
            TenantId = message.TenantId,
            MessageId = message.Id,
            ConversationId = conversation.Id,
            Label = sentiment.Label,
            Score = sentiment.Score,
            Model = SentimentModel.Version,
            At = message.Timestamp,
        });

        var trend = db.ConversationSentiments.Local.FirstOrDefault(s => s.TenantId == conversation.TenantId && s.ConversationId == conversation.Id)
            ?? await db.ConversationSentiments.FirstOrDefaultAsync(s => s.TenantId == conversation.TenantId && s.ConversationId == conversation.Id, ct);
        if (trend is null)
        {
            trend = new ConversationSentiment { TenantId = conversation.TenantId, ConversationId = conversation.Id, Score = sentiment.Score };
            db.ConversationSentiments.Add(trend);
        }
        else
        {
            trend.Change = Math.Round(sentiment.Score - trend.Score, 3);
            trend.Score = Math.Round((trend.Score + sentiment.Score) / 2, 3);
        }

        trend.Messages++;
        trend.Label = Sentiment.LabelOf(trend.Score);
        trend.UpdatedAt = message.Timestamp;
    }
}
