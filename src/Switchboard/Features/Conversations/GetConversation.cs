using Microsoft.AspNetCore.Http.HttpResults;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>One conversation with its contact.</summary>
internal static class GetConversation
{
    public static async Task<Results<Ok<ConversationResponse>, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, ContactReader contacts, CancellationToken ct)
    {
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        return row is null ? Problems.NotFound() : TypedResults.Ok(await LabelsApi.WithLabelsAsync(db, tenantId, ContactReader.ToResponse(row.Value.Conversation, await contacts.SummaryAsync(row.Value.Contact, ct)), ct));
    }
}
