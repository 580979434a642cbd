using Microsoft.JSInterop;

namespace Switchboard.Dashboard;

/// <summary>
/// What a component's own calls into the browser throw once the component has been disposed while they were under way: its
/// <see cref="DotNetObjectReference{T}"/> disposed, its cancellation fired, or the circuit gone. Such an exception is the end of
/// work nobody is waiting for, and must not reach the renderer, which would end the whole circuit (ADR 0064).
/// </summary>
internal static class Teardown
{
    public static bool IsTeardown(this Exception exception) =>
        exception is ObjectDisposedException or OperationCanceledException or JSDisconnectedException;
}
