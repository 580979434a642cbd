using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

internal sealed partial class ConversationLedger
{
    /// <summary>
    /// Gives the conversation exactly these labels (of its tenant, checked by the caller), with a
    /// <c>conversation.changed</c> event when that changes anything. False when it already had them.
    /// </summary>
    public static async Task<bool> SetLabelsAsync(SwitchboardDbContext db, Conversation conversation, IReadOnlyCollection<Guid> labelIds, DateTimeOffset now, CancellationToken ct)
    {
        var current = await db.ConversationLabels.Where(l => l.TenantId == conversation.TenantId && l.ConversationId == conversation.Id).ToListAsync(ct);
        var wanted = labelIds.ToHashSet();
        var removed = current.Where(l => !wanted.Contains(l.LabelId)).ToList();
        var added = wanted.Except(current.Select(l => l.LabelId)).ToList();
        if (removed.Count == 0 && added.Count == 0)
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.ConversationLabels.RemoveRange(removed);
        db.ConversationLabels.AddRange(added.Select(id => new ConversationLabel { TenantId = conversation.TenantId, ConversationId = conversation.Id, LabelId = id }));
        conversation.UpdatedAt = now;
        await SaveWithEventAsync(db, conversation.TenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, "labels", now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>In the caller's transaction: deletes a label definition and takes it off every conversation, each of which gets a <c>conversation.changed</c> event.</summary>
    public static async Task DeleteLabelAsync(SwitchboardDbContext db, Label label, DateTimeOffset now, CancellationToken ct)
    {
        var uses = await db.ConversationLabels.Where(l => l.TenantId == label.TenantId && l.LabelId == label.Id).ToListAsync(ct);
        db.ConversationLabels.RemoveRange(uses);
        db.Labels.Remove(label);
        await db.SaveChangesAsync(ct);
        foreach (var use in uses)
        {
            RealtimeLog.Append(db, label.TenantId, RealtimeEventTypes.ConversationChanged, use.ConversationId, null, "labels", now);
        }

        await RealtimeLog.FlushAsync(db, ct);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Sets the conversation's priority (one of <see cref="ConversationPriorities.All"/>) with a <c>conversation.changed</c> event; false when it had it already.</summary>
    public static async Task<bool> SetPriorityAsync(SwitchboardDbContext db, Conversation conversation, string priority, DateTimeOffset now, CancellationToken ct)
    {
        if (conversation.Priority == priority)
        {
            return false;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        conversation.Priority = priority;
        conversation.UpdatedAt = now;
        await SaveWithEventAsync(db, conversation.TenantId, RealtimeEventTypes.ConversationChanged, conversation.Id, null, "priority", now, ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
