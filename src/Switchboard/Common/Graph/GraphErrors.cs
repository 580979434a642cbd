namespace Switchboard.Common.Graph;

/// <summary>What one of Meta's error codes means for the person who sent the message, and what to do about it.</summary>
public sealed record GraphErrorHelp(string Meaning, string Fix);

/// <summary>
/// The Cloud API error codes a reply most often fails with, explained for agents and admins
/// (meanings from Meta's error-code reference, as collected in the repository's Cloud API facts).
/// </summary>
public static class GraphErrors
{
    private static readonly Dictionary<int, GraphErrorHelp> Known = new()
    {
        [131047] = new("More than 24 hours have passed since the customer last wrote.", "Wait for the customer to write again; Switchboard sends no templates, so a reply outside the window cannot be delivered."),
        [131026] = new("The message could not be delivered: the number may not be on WhatsApp, the customer may not have accepted WhatsApp's terms, or their app is outdated.", "Check the number with the customer through another channel; resending will fail the same way."),
        [131049] = new("Meta held the message back to keep engagement healthy (a per-customer limit).", "Do not resend at once; wait at least 24 hours or until the customer writes."),
        [131050] = new("The customer stopped marketing messages from this business.", "Only reply to what the customer asks for."),
        [131056] = new("Too many messages to this customer too fast (pair rate limit).", "Switchboard retries after a pause; send fewer messages in a row to one customer."),
        [131048] = new("Too many earlier messages were blocked or flagged as spam.", "Review what this number sends; the limit lifts as quality recovers."),
        [130429] = new("The number reached Meta's throughput limit.", "Switchboard paces and retries these; raise the number's rate in Channels only if Meta raised it."),
        [131053] = new("Meta could not accept the attached file (often a file type that does not match its content).", "Send the file again in a supported format (JPEG/PNG images, MP4 video, PDF documents)."),
        [131052] = new("The customer's file could not be downloaded (larger than 100 MB, or no longer available).", "Ask the customer to send a smaller file or a link."),
        [131051] = new("The message type is not supported.", "Use text, media, reply buttons or a list instead."),
        [131009] = new("A parameter was not valid (for example a reaction to a message that is too old or deleted).", "Reply with text instead, or react to a recent message."),
        [131008] = new("A required parameter was missing.", "Fill in every required field of the message and send it again."),
        [131021] = new("The sender and the recipient are the same number.", "Reply to the customer's number, not the business number."),
        [131030] = new("The recipient is not on the test number's allowed list (at most 5 numbers).", "Add the customer's number to the allowed list in Meta's app dashboard, or use a production number."),
        [131031] = new("The business account is locked (a policy violation, or wrong two-step PIN).", "An admin must resolve this in Meta's Business Manager."),
        [131042] = new("There is a problem with the business's payment method.", "An admin must fix the payment method in Meta's Business Manager."),
        [131045] = new("The phone number's registration or certificate is not valid.", "Register the number again with Meta; check the number's status in WhatsApp Manager."),
        [131057] = new("The business account is in maintenance (for example a throughput upgrade).", "Wait a few minutes and resend."),
        [131016] = new("Meta's service was temporarily unavailable.", "Switchboard retries these; resend if it still failed."),
        [131000] = new("Something went wrong at Meta.", "Resend; if it keeps failing, check Meta's status page."),
        [131005] = new("Access denied: the token lacks a permission.", "Give the system user whatsapp_business_messaging on this account and rotate the channel's token."),
        [368] = new("The business account is restricted for policy violations.", "An admin must review the account's quality and policy notices in WhatsApp Manager."),
        [130497] = new("The business account cannot message users in this country.", "Reach the customer through another channel."),
        [130472] = new("The customer's number is part of a Meta experiment and did not receive it.", "Nothing to fix; reply again later if needed."),
        [190] = new("The channel's access token expired or is not valid.", "An admin rotates the channel's access token in Channels."),
        [200] = new("The token has no access to this business account or number.", "Grant the system user access to the account and number, then rotate the channel's token."),
        [10] = new("A permission was not granted or was removed.", "Grant whatsapp_business_messaging to the app and rotate the channel's token."),
        [4] = new("The app reached its API call rate limit.", "Switchboard retries after a pause."),
        [80007] = new("The business account reached its rate limit.", "Switchboard retries after a pause."),
        [100] = new("Meta refused a parameter of the request.", "Check the message's fields (length, media, buttons) and send it again."),
    };

    /// <summary>The meaning and the suggested fix of a code, or null for a code this table does not know.</summary>
    public static GraphErrorHelp? Explain(int? code) => code is { } c && Known.TryGetValue(c, out var help) ? help : null;
}
