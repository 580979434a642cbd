using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.JSInterop;
using Switchboard.Dashboard;

namespace Switchboard.Features.Flows.Pages;

/// <summary>
/// How the flows page follows its address (ADR 0063): it opens flows inside its circuit and sets the address through the history API,
/// and shows what back, forward and the top bar's link name as soon as the circuit hears of them.
/// </summary>
public sealed partial class FlowsPage : IDisposable
{
    [Inject]
    private IJSRuntime JS { get; set; } = default!;

    /// <summary>The flow the address names as far as this page knows (ADR 0063); null for the list.</summary>
    private Guid? addressed;

    private DotNetObjectReference<FlowsPage>? self;
    private bool disposed;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            self = DotNetObjectReference.Create(this);
            try
            {
                await JS.InvokeVoidAsync("switchboard.watchPageLinks", self, "[data-testid=flows-page]");
            }
            catch (Exception ex) when (disposed && ex.IsTeardown())
            {
                // Left before the browser answered (ADR 0064).
            }
        }
    }

    /// <summary>A flow's link in the list, opened in the page by dashboard.js, which has set the address already (ADR 0063).</summary>
    [JSInvokable]
    public async Task OpenAddressAsync(string path)
    {
        if (IsFlowAddress(path, out var flow))
        {
            addressed = flow;
            await ShowAsync(flow);
            StateHasChanged();
        }
    }

    /// <summary>Back, forward and the top bar's link change the address through Blazor's navigation: the page shows what it names at once.</summary>
    private void OnLocationChanged(object? sender, LocationChangedEventArgs e)
    {
        if (!IsFlowAddress("/" + Navigation.ToBaseRelativePath(e.Location), out var flow))
        {
            return;
        }

        _ = InvokeAsync(async () =>
        {
            addressed = flow;
            if (flow is not null && flow == open)
            {
                return;
            }

            try
            {
                await ShowAsync(flow);
                StateHasChanged();
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or ObjectDisposedException))
            {
                await DispatchExceptionAsync(ex);
            }
        });
    }

    /// <summary>Whether the address is one of this page's: <c>/admin/flows</c> (<paramref name="flow"/> none: the list) or <c>/admin/flows/{id}</c>.</summary>
    internal static bool IsFlowAddress(string path, out Guid? flow)
    {
        const string List = "/admin/flows";
        var route = path.Split('?', '#')[0].TrimEnd('/');
        flow = null;
        if (route.Equals(List, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (route.StartsWith(List + "/", StringComparison.OrdinalIgnoreCase) && Guid.TryParse(route[(List.Length + 1)..], out var id))
        {
            flow = id;
            return true;
        }

        return false;
    }

    /// <summary>Puts a flow just saved, published or rolled back in the editor, and its address in the browser's (ADR 0063).</summary>
    private async Task OpenAsync(Guid id)
    {
        addressed = id;
        await ShowAsync(id);
        await JS.InvokeVoidAsync("switchboard.showAddress", $"/admin/flows/{id}");
    }

    public void Dispose()
    {
        disposed = true;
        Navigation.LocationChanged -= OnLocationChanged;
        self?.Dispose();
    }
}
