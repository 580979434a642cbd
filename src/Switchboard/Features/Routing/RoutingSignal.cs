using Switchboard.Common.Jobs;

namespace Switchboard.Features.Routing;

/// <summary>
/// Wakes the <see cref="RoutingDispatcher"/> when a queue may move, and says where (ADR 0040): a team a
/// conversation entered, an agent whose capacity freed or who came online. Such hints are dispatched at
/// once without sweeping every queue; <see cref="Notify"/> (anything else) asks for a sweep of every queue.
/// </summary>
internal sealed class RoutingSignal
{
    private readonly Lock gate = new();
    private HashSet<(Guid TenantId, Guid TeamId)> teams = [];
    private HashSet<(Guid TenantId, Guid UserId)> users = [];
    private bool everything;

    /// <summary>What the dispatcher's loop waits on; callers use the methods below.</summary>
    public WorkSignal Wake { get; } = new();

    /// <summary>Every queue may have moved.</summary>
    public void Notify()
    {
        lock (gate)
        {
            everything = true;
        }

        Wake.Notify();
    }

    /// <summary>A conversation entered this team's queue.</summary>
    public void NotifyTeam(Guid tenantId, Guid teamId)
    {
        lock (gate)
        {
            teams.Add((tenantId, teamId));
        }

        Wake.Notify();
    }

    /// <summary>This agent has room now (a conversation of theirs resolved or set pending, or they came online): their teams' queues may move.</summary>
    public void NotifyUser(Guid tenantId, Guid userId)
    {
        lock (gate)
        {
            users.Add((tenantId, userId));
        }

        Wake.Notify();
    }

    /// <summary>Takes the hints gathered since the last call.</summary>
    public RoutingHints Take()
    {
        lock (gate)
        {
            var hints = new RoutingHints(everything, teams, users);
            everything = false;
            teams = [];
            users = [];
            return hints;
        }
    }
}

/// <summary>Where the dispatcher should look (<see cref="RoutingSignal.Take"/>).</summary>
internal sealed record RoutingHints(bool Everything, IReadOnlyCollection<(Guid TenantId, Guid TeamId)> Teams, IReadOnlyCollection<(Guid TenantId, Guid UserId)> Users)
{
    public bool IsEmpty => !Everything && Teams.Count == 0 && Users.Count == 0;
}
