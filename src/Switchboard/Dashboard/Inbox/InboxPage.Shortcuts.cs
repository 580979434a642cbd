using Microsoft.JSInterop;
using Switchboard.Features.Conversations;

namespace Switchboard.Dashboard.Inbox;

/// <summary>The inbox's keyboard (ADR 0033): one page-wide handler in dashboard.js calls <see cref="ShortcutAsync"/>.</summary>
public sealed partial class InboxPage
{
    private Guid? focused;
    private bool showHelp;
    private bool shortcutsReady;
    private DotNetObjectReference<InboxPage>? self;

    /// <summary>
    /// A shortcut key pressed anywhere on the page outside a field (dashboard.js; the list in the help overlay).
    /// Actions take the conversation on screen, never the loaded detail, which can still be the one shown before while
    /// its load is under way (ADR 0044). Enter and u open a conversation inside the circuit, so the keyboard stays where
    /// it was and the next key acts on the conversation just opened (ADR 0057).
    /// </summary>
    [JSInvokable]
    public async Task ShortcutAsync(string key)
    {
        var index = items.FindIndex(i => i.Id == (focused ?? open));
        switch (key)
        {
            case "?":
                showHelp = !showHelp;
                break;
            case "Escape":
                showHelp = false;
                break;
            case "j" or "ArrowDown" when items.Count > 0:
                focused = items[Math.Min(items.Count - 1, index + 1)].Id;
                await JS.InvokeVoidAsync("switchboard.scrollIntoList", focused);
                break;
            case "k" or "ArrowUp" when items.Count > 0:
                focused = items[Math.Max(0, index - 1)].Id;
                await JS.InvokeVoidAsync("switchboard.scrollIntoList", focused);
                break;
            case "Enter" when focused is { } chosen && chosen != open:
                await OpenFromKeysAsync(chosen);
                break;
            case "u":
                // The next conversation below the current one with unread messages, from the top again after the last.
                var next = items.Skip(index + 1).Concat(items.Take(index + 1)).FirstOrDefault(i => i.Unread > 0 && i.Id != open);
                if (next is not null)
                {
                    await OpenFromKeysAsync(next.Id);
                }

                break;
            case "r":
                await JS.InvokeAsync<bool>("switchboard.focusComposer", "");
                break;
            case "/":
                await JS.InvokeAsync<bool>("switchboard.focusComposer", "/");
                break;
            case "a" when open is { } shown && userId is { } me:
                error = await Inbox.AssignAsync(tenantId, shown, me, life.Token);
                await ShowOwnChangeAsync();
                break;
            case "e" when open is { } shown && !IsResolved(shown):
                await Inbox.SetStatusAsync(tenantId, shown, ConversationStatus.Resolved, life.Token);
                await ShowOwnChangeAsync();
                break;
        }

        StateHasChanged();
    }

    // Only the detail of this very conversation can say it is resolved already; a stale one of another says nothing.
    private bool IsResolved(Guid conversationId) => detail is { } d && d.Conversation.Id == conversationId && d.Conversation.Status == "resolved";
}
