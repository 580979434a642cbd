using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// Where waiting conversations stand in their team's queue (1 = next), and an estimated wait from the
/// team's recent pace: the conversations it assigned in the last half hour. No pace, no estimate (null)
/// rather than a made-up number.
/// </summary>
internal static class ConversationQueue
{
    private static readonly TimeSpan PaceWindow = TimeSpan.FromMinutes(30);

    /// <summary>The answers with queue position and estimate filled in for those that are waiting (one query per waiting one, on the queue index).</summary>
    public static async Task<List<ConversationResponse>> DescribeAsync(
        SwitchboardDbContext db, Guid tenantId, IReadOnlyList<(Conversation Conversation, ConversationResponse Response)> rows, DateTimeOffset now, CancellationToken ct)
    {
        var paces = new Dictionary<Guid, int>();
        var described = new List<ConversationResponse>(rows.Count);
        foreach (var (conversation, response) in rows)
        {
            if (conversation is not { WaitingSince: { } since, TeamId: { } teamId })
            {
                described.Add(response);
                continue;
            }

            var number = conversation.Number;
            var ahead = await db.Conversations.AsNoTracking()
                .CountAsync(c => c.TenantId == tenantId && c.TeamId == teamId && c.WaitingSince != null
                    && (c.WaitingSince < since || (c.WaitingSince == since && c.Number < number)), ct);
            if (!paces.TryGetValue(teamId, out var pace))
            {
                var from = now - PaceWindow;
                pace = await db.Conversations.AsNoTracking().CountAsync(c => c.TenantId == tenantId && c.TeamId == teamId && c.AssignedAt >= from, ct);
                paces[teamId] = pace;
            }

            var position = ahead + 1;
            int? estimate = pace == 0 ? null : (int)Math.Ceiling(position * PaceWindow.TotalSeconds / pace);
            described.Add(response with { QueuePosition = position, EstimatedWaitSeconds = estimate });
        }

        return described;
    }
}
