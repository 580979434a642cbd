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
}

/// <summary>One change of a conversation; <see cref="At"/> is Meta's time for customer messages, else the server's.</summary>
internal readonly record struct ConversationChange(Conversation Conversation, ConversationCause Cause, DateTimeOffset At);

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
