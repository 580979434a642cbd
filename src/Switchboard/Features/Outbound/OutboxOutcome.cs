using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>What to record for one outbox item once its call (or the decision not to call) is over.</summary>
internal sealed record OutboxOutcome
{
    private OutboxOutcome(OutboxItem item, OutboxState state)
    {
        Item = item;
        State = state;
    }

    public OutboxItem Item { get; }

    /// <summary>Done, Failed or Unknown; Pending puts it back in the queue for <see cref="RetryAt"/>.</summary>
    public OutboxState State { get; }

    public string? Reason { get; private init; }

    public string? Wamid { get; private init; }

    /// <summary>The message's new status, if the outcome changes it (failed, unknown).</summary>
    public DeliveryState? MessageState { get; private init; }

    public int? ErrorCode { get; private init; }

    public string? ErrorTitle { get; private init; }

    public DateTimeOffset? RetryAt { get; private init; }

    /// <summary>When the call to Meta started, if it did (<see cref="OutboxItem.CalledAt"/>).</summary>
    public DateTimeOffset? CalledAt { get; init; }

    /// <summary>The attempt was not counted by a Sending mark (an upload that failed), so count it here.</summary>
    public bool CountAttempt { get; private init; }

    /// <summary>Meta's pair limit (131056): the customer is backed off until <see cref="RetryAt"/>.</summary>
    public bool BackOffContact { get; private init; }

    /// <summary>Meta refused the token (190): the number waits for a new one.</summary>
    public bool PauseChannel { get; private init; }

    /// <summary>Recorded only if the item is still Sending under the lease it was found with (a node that left it behind may yet record it).</summary>
    public bool OnlyIfStillSending { get; private init; }

    /// <summary>Recorded only if this node still holds the item's lease (a reply whose Sending mark the database may or may not have taken).</summary>
    public Guid? OnlyIfLeasedBy { get; private init; }

    public static OutboxOutcome Accepted(OutboxItem item, string? wamid) => new(item, OutboxState.Done) { Wamid = wamid };

    public static OutboxOutcome Failed(OutboxItem item, string reason, int? code, string? title) =>
        new(item, OutboxState.Failed) { Reason = reason, MessageState = DeliveryState.Failed, ErrorCode = code, ErrorTitle = title ?? reason };

    public static OutboxOutcome Unknown(OutboxItem item, string reason) =>
        new(item, OutboxState.Unknown) { Reason = reason, MessageState = DeliveryState.Unknown };

    /// <summary>The node sending it stopped, or lost the number (ADR 0055), while it was Sending: nobody knows whether Meta got it.</summary>
    public static OutboxOutcome Interrupted(OutboxItem item) =>
        new(item, OutboxState.Unknown) { Reason = "interrupted", MessageState = DeliveryState.Unknown, OnlyIfStillSending = true };

    /// <summary>
    /// The database failed while marking it Sending, so the mark may or may not have committed; it was not called either
    /// way, so it goes back to the queue, unless another node has leased it meanwhile (ADR 0059).
    /// </summary>
    public static OutboxOutcome Unmarked(OutboxItem item, Guid nodeId, DateTimeOffset retryAt) =>
        new(item, OutboxState.Pending) { Reason = "mark-failed", RetryAt = retryAt, OnlyIfLeasedBy = nodeId };

    /// <summary>Back to Pending (it was not delivered), to be picked up again at <paramref name="retryAt"/>.</summary>
    public static OutboxOutcome Release(OutboxItem item, DateTimeOffset retryAt, string reason, bool countAttempt = false) =>
        new(item, OutboxState.Pending) { Reason = reason, RetryAt = retryAt, CountAttempt = countAttempt };

    public static OutboxOutcome PairLimited(OutboxItem item, DateTimeOffset until) =>
        new(item, OutboxState.Pending) { Reason = "meta-131056", RetryAt = until, BackOffContact = true };

    public static OutboxOutcome TokenExpired(OutboxItem item, DateTimeOffset retryAt) =>
        new(item, OutboxState.Pending) { Reason = "meta-190", RetryAt = retryAt, PauseChannel = true };
}
