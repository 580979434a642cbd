namespace Switchboard.Dashboard.Inbox;

/// <summary>WhatsApp's ticks for a reply's delivery status, and the words behind them.</summary>
internal static class DeliveryTicks
{
    public static string Of(string status) => status switch
    {
        "queued" => "🕓",
        "sending" => "🕓",
        "sent" => "✓",
        "delivered" => "✓✓",
        "read" => "✓✓",
        "failed" => "⚠",
        "unknown" => "?",
        _ => status,
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
