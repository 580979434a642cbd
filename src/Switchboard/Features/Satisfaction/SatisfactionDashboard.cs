using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Satisfaction;

/// <summary>What the conversation view shows of satisfaction: the customer's score once they answered.</summary>
internal sealed class SatisfactionDashboard(IDbContextFactory<SwitchboardDbContext> dbFactory)
{
    public async Task<int?> ScoreAsync(Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CsatSurveys.AsNoTracking().Where(s => s.TenantId == tenantId && s.ConversationId == conversationId).Select(s => s.Score).FirstOrDefaultAsync(ct);
    }
}
