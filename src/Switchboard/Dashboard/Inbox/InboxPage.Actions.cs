using Microsoft.JSInterop;
using Switchboard.Features.Outbound;

namespace Switchboard.Dashboard.Inbox;

/// <summary>What the agent does to the open conversation and the list from the page besides the composer and the keys.</summary>
public sealed partial class InboxPage
{
    private async Task SetNotifyAsync(bool value)
    {
        notify = value;
        await JS.InvokeVoidAsync("switchboard.rememberAlerts", value);
        if (notify)
        {
            await JS.InvokeAsync<string>("switchboard.enableAlerts");
        }
    }

    private async Task BulkLabelAsync((IReadOnlyCollection<Guid> Conversations, string Label) bulk)
    {
        error = await Inbox.AddLabelAsync(tenantId, bulk.Conversations, bulk.Label, life.Token);
        await RefreshAsync();
    }

    private async Task OnSentAsync()
    {
        replyTo = null;
        await LoadDetailAsync(markRead: false);
    }

    private async Task ReactAsync((Guid MessageId, string Emoji) reaction)
    {
        if (detail is null)
        {
            return;
        }

        error = await Inbox.SendAsync(tenantId, detail.Conversation.Id,
            new SendRequest("reaction", null, null, null, null, new SendReaction(reaction.MessageId, reaction.Emoji), null, null, null, null),
            $"dashboard:reaction:{reaction.MessageId}:{reaction.Emoji}:{Guid.NewGuid():N}", life.Token);
        await LoadDetailAsync(markRead: false);
    }

    private async Task ResendAsync(Guid messageId)
    {
        if (detail is null)
        {
            return;
        }

        error = await Inbox.ResendAsync(tenantId, detail.Conversation.Id, messageId, life.Token);
        await LoadDetailAsync(markRead: false);
    }
}
