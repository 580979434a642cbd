using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>What happened to a conversation, for the features that act on it (routing, service levels).</summary>
internal enum ConversationCause
{
    /// <summary>A customer's message opened a new conversation.</summary>
    Opened,

    /// <summary>A customer's message, or an agent, reopened a resolved or pending conversation.</summary>
    Reopened,

    /// <summary>Another customer message on a conversation that was already open.</summary>
    CustomerMessage,

    /// <summary>An agent, bot or API client replied to the customer (notes do not count).</summary>
    Replied,

    /// <summary>A bot or automation replied (ADR 0029): the customer is answered, but by no person, so no response clock stops.</summary>
    AutoReplied,

    /// <summary>Resolved.</summary>
    Resolved,

    /// <summary>Set pending: waiting on the customer or someone else.</summary>
    Pending,

    /// <summary>Assigned, unassigned or transferred by hand.</summary>
    Reassigned,

    /// <summary>The customer answered a satisfaction survey on a resolved conversation, which stays resolved (ADR 0031).</summary>
    SurveyAnswered,
}

/// <summary>One change of a conversation; <see cref="At"/> is Meta's time for customer messages, else the server's.</summary>
internal readonly record struct ConversationChange(Conversation Conversation, ConversationCause Cause, DateTimeOffset At)
{
    /// <summary>The customer's message behind an inbound change (opened, reopened or another message); null otherwise.</summary>
    public Guid? MessageId { get; init; }

    /// <summary>That message itself where the writer holds it in memory: the inbound batch inserts its messages only after the steps plan.</summary>
    public Message? Message { get; init; }

    /// <summary>The id of the reply button or list row a customer's message chose, when it chose one (ADR 0031).</summary>
    public string? ReplyId { get; init; }
}

/// <summary>
/// SLA warnings raised in the current unit of work (ADR 0028): a feature that acts on them reads this list
/// from the context in its save interceptor; the warning's writer (<see cref="ConversationLedger.AppendSlaWarning"/>) fills it.
/// </summary>
internal sealed class RaisedSlaWarnings
{
    public List<(Guid TenantId, Guid ConversationId, SlaKind Kind, DateTimeOffset At)> Items { get; } = [];
}

/// <summary>
/// Replies to a satisfaction survey (ADR 0031): their button or row ids start with <see cref="Prefix"/>,
/// and such a reply does not reopen a resolved conversation.
/// </summary>
internal static class SurveyReplies
{
    public const string Prefix = "csat:";

    /// <summary>The chosen button's or list row's id of an interactive message's raw JSON, or null.</summary>
    public static string? IdOf(string type, string content)
    {
        if (type != "interactive" || !content.Contains("_reply", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(content);
            if (!json.RootElement.TryGetProperty("interactive", out var interactive) || interactive.ValueKind != System.Text.Json.JsonValueKind.Object)
            {
                return null;
            }

            foreach (var kind in (string[])["list_reply", "button_reply"])
            {
                if (interactive.TryGetProperty(kind, out var reply) && reply.ValueKind == System.Text.Json.JsonValueKind.Object
                    && reply.TryGetProperty("id", out var id) && id.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    return id.GetString() is { Length: <= 256 } value ? value : null;
                }
            }
        }
        catch (System.Text.Json.JsonException)
        {
        }

        return null;
    }

    public static bool IsAnswer(string? replyId) => replyId?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}

/// <summary>
/// A feature's part in a conversation's change (ADR 0020): Conversations calls every registered step,
/// in the writer's transaction before it saves, and again after the commit.
/// </summary>
internal interface IConversationStep
{
    /// <summary>In the writer's transaction, before its save: may set routing columns through the ledger and add rows to the unit of work.</summary>
    Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct);

    /// <summary>After the commit: wakes whatever acts on the changes (a dispatcher, timers). Must not throw.</summary>
    void Committed(IReadOnlyList<ConversationChange> changes);
}
