using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using static Switchboard.Features.Conversations.LabelsApi;

namespace Switchboard.Features.Conversations;

/// <summary>Gives a conversation exactly the labels named (by name, of its tenant); an unknown name is a field error and changes nothing.</summary>
internal static class SetConversationLabels
{
    public static async Task<Results<Ok<ConversationResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid conversationId, ConversationLabelsRequest request, SwitchboardDbContext db, ContactReader contacts, TimeProvider clock, CancellationToken ct) =>
        await SetAsync(db, contacts, tenantId, conversationId, request.Labels ?? [], clock.GetUtcNow(), ct) switch
        {
            { Value: { } conversation } => TypedResults.Ok(conversation),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    public static async Task<Outcome<ConversationResponse>> SetAsync(
        SwitchboardDbContext db, ContactReader contacts, Guid tenantId, Guid conversationId, IReadOnlyList<string> names, DateTimeOffset now, CancellationToken ct)
    {
        var row = await ConversationActions.LoadAsync(db, tenantId, conversationId, ct);
        if (row is not { } found)
        {
            return Failure.NotFound();
        }

        var wanted = names.Select(n => n?.Trim() ?? "").ToList();
        var known = await db.Labels.AsNoTracking().Where(l => l.TenantId == tenantId && wanted.Contains(l.Name)).ToDictionaryAsync(l => l.Name, l => l.Id, StringComparer.Ordinal, ct);
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < wanted.Count; i++)
        {
            if (!known.ContainsKey(wanted[i]))
            {
                errors[$"labels[{i}]"] = ["No label of this tenant has this name."];
            }
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        await ConversationLedger.SetLabelsAsync(db, found.Conversation, [.. known.Values.Distinct()], now, ct);
        return await WithLabelsAsync(db, tenantId, ContactReader.ToResponse(found.Conversation, await contacts.SummaryAsync(found.Contact, ct)), ct);
    }
}
