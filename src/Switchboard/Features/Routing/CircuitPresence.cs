namespace Switchboard.Features.Routing;

/// <summary>
/// The dashboard circuit's own presence (one per circuit): which conversation it shows, and who else has that
/// conversation open, through the presence rows every node keeps (ADR 0033).
/// </summary>
internal sealed class CircuitPresence(AgentPresenceTracker tracker)
{
    private (string CircuitId, Guid TenantId, Guid UserId)? circuit;

    public void Opened(string circuitId, Guid tenantId, Guid userId) => circuit = (circuitId, tenantId, userId);

    /// <summary>The circuit shows this conversation now (null: none).</summary>
    public Task ViewAsync(Guid? conversationId, CancellationToken ct) =>
        circuit is { } c ? tracker.ViewAsync(c.CircuitId, conversationId, ct) : Task.CompletedTask;

    /// <summary>The other members who have the conversation open (empty outside a signed-in member's circuit).</summary>
    public async Task<IReadOnlyList<Guid>> OthersViewingAsync(Guid conversationId, CancellationToken ct) =>
        circuit is { } c ? await tracker.ViewersAsync(c.TenantId, conversationId, c.UserId, ct) : [];
}
