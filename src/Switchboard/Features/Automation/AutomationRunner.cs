using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Privacy;

namespace Switchboard.Features.Automation;

/// <summary>
/// Runs one queued event (ADR 0028): first the automatic reply a customer's message may get, then the tenant's
/// enabled rules for the event, in order. Every write goes through its owner (the outbox use case, the ledger);
/// rule actions write on contexts marked with <see cref="AutomationOrigin"/>, so they trigger no rules.
/// </summary>
internal sealed class AutomationRunner(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    ConversationLedger ledger,
    ContactDirectory contacts,
    ContactKeys contactKeys,
    OutboxSignal outbox,
    BlobStore blobs,
    IEnumerable<IAutoReplyVeto> vetoes,
    TimeProvider clock,
    ILogger<AutomationRunner> logger)
{
    private readonly IReadOnlyList<IAutoReplyVeto> vetoes = [.. vetoes];

    public async Task RunAsync(AutomationJob job, CancellationToken ct)
    {
        if (await RestrictedAsync(job, ct))
        {
            // The customer restricted processing or objected: no automatic reply, no rule (ADR 0032).
            return;
        }

        if (job.Trigger is AutomationTrigger.Opened or AutomationTrigger.Message)
        {
            await ReplyAsync(job, ct);
        }

        await new RuleRun(this, job).RunAsync(ct);
    }

    private async Task<bool> RestrictedAsync(AutomationJob job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var contactId = await db.Conversations.AsNoTracking().Where(c => c.TenantId == job.TenantId && c.Id == job.ConversationId).Select(c => (Guid?)c.ContactId).FirstOrDefaultAsync(ct);
        return contactId is { } id && await ContactRestrictions.IsRestrictedAsync(db, job.TenantId, id, ct);
    }

    private async Task ReplyAsync(AutomationJob job, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == job.TenantId && c.Id == job.ConversationId, ct);
        var now = clock.GetUtcNow();
        if (conversation is null || !(conversation.WindowExpiresAt > now) || await AutoReplies.ChooseAsync(db, job, conversation, ct) is not { } reply)
        {
            return;
        }

        foreach (var veto in vetoes)
        {
            if (await veto.SuppressesAsync(db, conversation, ct))
            {
                return;
            }
        }

        if (!await AutoReplies.ClaimAsync(db, job, reply.Kind, reply.PeriodMinutes, now, ct))
        {
            return;
        }

        var sent = await SendAsync(job.TenantId, job.ConversationId, "text", reply.Text, $"auto-reply:{job.Id}", null, ct);
        if (!sent)
        {
            logger.LogInformation("Automatic {Kind} reply not sent in conversation {ConversationId}: refused by the send path.", reply.Kind, job.ConversationId);
        }
    }

    /// <summary>Through the outbox use case (pacing, the window, never sending twice); true when queued.</summary>
    internal async Task<bool> SendAsync(Guid tenantId, Guid conversationId, string type, string text, string idempotencyKey, Guid? ruleId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.UnitOfWork<AutomationOrigin>().RuleId = ruleId;
        var outcome = await SendMessage.SendAsync(
            tenantId, conversationId, new SendRequest(type, text, null, null, null, null, null, null, null, null), idempotencyKey, db, ledger, contacts, contactKeys, outbox, blobs, clock, ct, MessageAuthor.Automation);
        return outcome.Value is not null;
    }

    /// <summary>A fresh context whose writes count as the rule's (they trigger no rules).</summary>
    internal async Task<SwitchboardDbContext> ContextForRuleAsync(Guid ruleId, CancellationToken ct)
    {
        var db = await dbFactory.CreateDbContextAsync(ct);
        db.UnitOfWork<AutomationOrigin>().RuleId = ruleId;
        return db;
    }

    internal Task<SwitchboardDbContext> ContextAsync(CancellationToken ct) => dbFactory.CreateDbContextAsync(ct);

    internal ConversationLedger Ledger => ledger;

    internal TimeProvider Clock => clock;

    /// <summary>The customer's message text, opened in memory only for "text contains" (never stored or logged); null when erased.</summary>
    internal async Task<string?> MessageTextAsync(SwitchboardDbContext db, Guid tenantId, Guid messageId, CancellationToken ct)
    {
        var message = await db.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.TenantId == tenantId && m.Id == messageId, ct);
        var contact = message is null ? null : await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == message.ContactId, ct);
        if (message is null || contact?.DataKey is null)
        {
            return null;
        }

        try
        {
            var key = await contactKeys.KeyOfAsync(contact, ct);
            return Sealer.OpenString(key, message.SealContext(nameof(Message.Text)), message.Text);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The contact's profile (name, attributes), or null when erased.</summary>
    internal async Task<ContactProfile?> ProfileAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == contactId, ct);
        if (contact?.DataKey is null)
        {
            return null;
        }

        try
        {
            return await contacts.ReadAsync(contact, ct);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
