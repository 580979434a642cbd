using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Conversations;

/// <summary>One conversation with its contact.</summary>
internal static class GetConversation
{
    public static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, AccessLog access, HttpContext http, CancellationToken ct)
    {
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        if (row is not { } found)
        {
            return Problems.NotFound();
        }

        await access.OpenedAsync(db, tenantId, AuditActor.From(http), AuditActions.ConversationOpened, $"conversation:{conversationId}", ct);

        var response = await LabelsApi.WithLabelsAsync(db, tenantId, ContactReader.ToResponse(found.Conversation, await contacts.SummaryAsync(found.Contact, ct)), ct);
        return TypedResults.Ok((await ConversationQueue.DescribeAsync(db, tenantId, [(found.Conversation, response)], clock.GetUtcNow(), ct))[0]);
    }
}
