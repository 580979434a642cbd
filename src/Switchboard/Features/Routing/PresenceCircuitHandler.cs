using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Switchboard.Common.Security;

namespace Switchboard.Features.Routing;

/// <summary>Records each open dashboard circuit of a signed-in member as presence, and its end (ADR 0022).</summary>
internal sealed class PresenceCircuitHandler(AuthenticationStateProvider authentication, AgentPresenceTracker tracker, CircuitPresence presence) : CircuitHandler
{
    private bool tracked;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.TenantIdOf() is { } tenantId && user.UserIdOf() is { } userId)
        {
            tracked = true;
            try
            {
                await tracker.OpenAsync(tenantId, userId, circuit.Id, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The browser left while the circuit opened (a reload right after signing in): its close still runs.
                return;
            }

            presence.Opened(circuit.Id, tenantId, userId);
        }
    }

    public override async Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        if (tracked)
        {
            await tracker.CloseAsync(circuit.Id, cancellationToken);
        }
    }
}
