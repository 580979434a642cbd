using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;

namespace Switchboard.Dashboard.Inbox;

/// <summary>The inbox in the browser: its address (ADR 0057), the calls into dashboard.js and the calls it makes back.</summary>
public sealed partial class InboxPage
{
    /// <summary>
    /// Back, forward and links from outside the inbox's own part of the page change the address through Blazor's navigation,
    /// which tells the circuit at once; the page opens what the new address names without waiting for the server's
    /// rendering of it.
    /// </summary>
    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        if (InboxAddress.Parse(Navigation.ToBaseRelativePath(e.Location)) is not { } address)
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            addressed = address.Conversation;
            shownTitle = null; // the server's rendering of the address brings its own title
            if (address.Conversation == open && address.Message == openAt)
            {
                return;
            }

            try
            {
                await OpenAsync(address.Conversation, address.Message);
                StateHasChanged();
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or ObjectDisposedException))
            {
                await DispatchExceptionAsync(ex);
            }
        });
    }

    /// <summary>A link inside the inbox, opened in the page by dashboard.js (which has set the address already, ADR 0057).</summary>
    [JSInvokable]
    public async Task OpenAddressAsync(string path)
    {
        if (InboxAddress.Parse(path.TrimStart('/')) is { } address)
        {
            addressed = address.Conversation;
            await OpenAsync(address.Conversation, address.Message);
            StateHasChanged();
        }
    }

    /// <summary>A key opens a conversation inside the circuit; the address follows through the history API (ADR 0057).</summary>
    private async Task OpenFromKeysAsync(Guid id)
    {
        addressed = id;
        var opening = OpenAsync(id, null);
        await JS.InvokeVoidAsync("switchboard.showAddress", $"/conversations/{id}");
        await opening;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        try
        {
            await AfterRenderAsync(firstRender);
        }
        catch (Exception ex) when (life.IsCancellationRequested && ex.IsTeardown())
        {
            // Disposed while its calls into the browser were under way, for example on leaving right after signing in (ADR 0064).
        }
    }

    private async Task AfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            // The browser is the authority on its own zone (the cookie may be missing or stale).
            self = DotNetObjectReference.Create(this);
            await JS.InvokeVoidAsync("switchboard.watchShortcuts", self);
            await JS.InvokeVoidAsync("switchboard.watchListEnd", self);
            await JS.InvokeVoidAsync("switchboard.watchPageLinks", self, "[data-testid=inbox]");
            shortcutsReady = true;
            StateHasChanged();
            var browserZone = ViewerTime.FromId(await JS.InvokeAsync<string?>("switchboard.timeZone"));
            var alerts = await JS.InvokeAsync<bool>("switchboard.alertsRemembered");
            if (browserZone.Id != time.Id || alerts != notify)
            {
                time = browserZone;
                notify = alerts;
                StateHasChanged();
            }
        }

        // PageTitle reaches the tab only from the server's rendering (the head is static): the circuit keeps it current.
        if (RendererInfo.IsInteractive && TitleText is var title && title != shownTitle)
        {
            shownTitle = title;
            await JS.InvokeVoidAsync("switchboard.setTitle", title);
        }

        // Follow new messages, but leave the scroll position alone while nothing new arrived.
        var shown = (detail?.Conversation.Id, detail?.Messages.Count ?? 0);
        if (detail is not null && RendererInfo.IsInteractive && shown != lastShown)
        {
            lastShown = shown;
            if (openAt is not { } target || !await JS.InvokeAsync<bool>("switchboard.scrollToMessage", target))
            {
                await JS.InvokeVoidAsync("switchboard.scrollToNewest", "messages");
            }
        }
    }

    /// <summary>The list was scrolled near its end: the next page of older conversations joins it.</summary>
    [JSInvokable]
    public async Task MoreAsync()
    {
        if (items.Count < listLimit || listLimit >= MaxListed)
        {
            return;
        }

        listLimit += InboxService.PageSize;
        await ReloadListAsync();
        StateHasChanged();
    }
}
