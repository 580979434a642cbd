namespace Switchboard.Features.Conversations;

/// <summary>The <c>Switchboard:Conversations</c> section.</summary>
internal sealed class ConversationOptions
{
    public const string Section = "Switchboard:Conversations";

    /// <summary>
    /// A customer who writes again on a resolved conversation reopens it, unless its last message is older
    /// than this: then a new conversation starts (its own number, its own history for analytics).
    /// </summary>
    public TimeSpan NewConversationAfter { get; set; } = TimeSpan.FromHours(24);
}
