using Switchboard.Features.Conversations;

namespace Switchboard.Dashboard.Inbox;

// What the inbox's components show and filter by. Public because Razor components are, and these are their parameters.

public enum AssigneeFilter
{
    All,
    Mine,
    Unassigned,
}

public enum StatusFilter
{
    Open,
    Pending,
    Resolved,
    Any,
}

public sealed record InboxFilter(AssigneeFilter Assignee, StatusFilter Status, bool UnreadOnly, string? Search, string? Label = null);

public sealed record InboxItem(
    Guid Id, long Number, string Status, string? Name, string? WaId, bool Erased, int Unread, DateTimeOffset? LastMessageAt,
    string? Preview, bool PreviewOutbound, DateTimeOffset? WindowExpiresAt, Guid? AssignedUserId)
{
    /// <summary>The names of its labels (ADR 0024).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
}

/// <summary>A conversation as its header, badge and history line show it.</summary>
public sealed record ConversationHeader(
    Guid Id, long Number, string Status, string? ContactName, string? ContactWaId, Guid? AssignedUserId,
    DateTimeOffset? WindowExpiresAt, int UnreadCount, DateTimeOffset? LastMessageAt, Guid? TeamId = null)
{
    /// <summary>The names of its labels (ADR 0024).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];
}

/// <summary>An open conversation: its messages (oldest first), the customer's earlier conversations and the business number.</summary>
public sealed record ConversationDetail(ConversationHeader Conversation, IReadOnlyList<MessageResponse> Messages, IReadOnlyList<ConversationHeader> History, string? ChannelNumber);

public sealed record Member(Guid Id, string Name);

/// <summary>A tenant label as the inbox shows it: its name and colour.</summary>
public sealed record LabelView(string Name, string Color);

/// <summary>A canned response the viewer may insert.</summary>
public sealed record CannedView(string Shortcut, string Text, bool Personal);
