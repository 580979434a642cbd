namespace Switchboard.Features.Conversations;

/// <summary>
/// Where a message is. Outbound states only move forward (see <see cref="DeliveryStates.Rank"/>):
/// a late "sent" never overwrites "delivered", and "delivered" never overwrites "read".
/// </summary>
internal enum DeliveryState
{
    Received,
    Queued,
    Unknown,
    Sent,
    Delivered,
    Failed,
    Read,
    Played,
}

internal static class DeliveryStates
{
    public static int Rank(DeliveryState state) => state switch
    {
        DeliveryState.Received or DeliveryState.Queued or DeliveryState.Unknown => 0,
        DeliveryState.Sent => 1,
        DeliveryState.Delivered => 2,

        // A failure ends a message that was sent or delivered, but Meta saying "read" beats it.
        DeliveryState.Failed => 3,
        DeliveryState.Read => 4,
        DeliveryState.Played => 5,
        _ => 0,
    };

    /// <summary>
    /// The one forward-only rule every status change of a message goes through (ADR 0019): Meta's statuses
    /// move up the ranks; a send becomes unknown only while queued; the one way back is an agent's resend
    /// of an unknown or failed reply (ADR 0007); nothing becomes received.
    /// </summary>
    public static bool CanMove(DeliveryState from, DeliveryState to) => to switch
    {
        DeliveryState.Received => false,
        DeliveryState.Unknown => from == DeliveryState.Queued,
        DeliveryState.Queued => from is DeliveryState.Unknown or DeliveryState.Failed,
        _ => Rank(to) > Rank(from),
    };

    public static DeliveryState? FromWebhook(string? status) => status switch
    {
        "sent" => DeliveryState.Sent,
        "delivered" => DeliveryState.Delivered,
        "read" => DeliveryState.Read,
        "played" => DeliveryState.Played,
        "failed" => DeliveryState.Failed,
        _ => null,
    };

    public static string Name(DeliveryState state) => state.ToString().ToLowerInvariant();
}
