namespace Switchboard.Dashboard.Inbox;

/// <summary>WhatsApp's ticks for a reply's delivery status, and the words behind them.</summary>
internal static class DeliveryTicks
{
    public static string Of(string status) => status switch
    {
        "queued" or "sending" or "failed" => "",
        "sent" => "✓",
        "delivered" => "✓✓",
        "read" => "✓✓",
        "unknown" => "?",
        _ => status,
    };

    /// <summary>The icon drawn instead of a tick (no emoji: machines without an emoji font show boxes).</summary>
    public static string? IconOf(string status) => status switch
    {
        "queued" or "sending" => "clock",
        "failed" => "warning",
        _ => null,
    };

    public static string TitleOf(string status) => status switch
    {
        "queued" => "Queued",
        "sent" => "Sent",
        "delivered" => "Delivered",
        "read" => "Read",
        "failed" => "Failed",
        "unknown" => "Unknown: the request may or may not have reached WhatsApp",
        _ => status,
    };
}
