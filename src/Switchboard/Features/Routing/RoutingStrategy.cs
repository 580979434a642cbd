namespace Switchboard.Features.Routing;

/// <summary>Which candidate (online, below capacity) gets the next conversation; pure, so the rules are tested without a database.</summary>
internal static class RoutingStrategy
{
    /// <summary>
    /// The customer's previous agent (<paramref name="previous"/>, when sticky and a candidate) first; then round
    /// robin: longest since their last assignment (never assigned first); least busy: fewest open conversations,
    /// equal loads rotating by the same rule. Ties end on the user id, so every node picks alike.
    /// </summary>
    public static (Guid UserId, string Rule) Pick(
        string strategy, IReadOnlyList<Guid> candidates, IReadOnlyDictionary<Guid, int> loads, Func<Guid, DateTimeOffset?> lastAssignedAt, Guid? previous)
    {
        if (previous is { } sticky && candidates.Contains(sticky))
        {
            return (sticky, "sticky");
        }

        var byRotation = strategy == Team.LeastBusy
            ? candidates.OrderBy(u => loads[u]).ThenBy(u => lastAssignedAt(u) ?? DateTimeOffset.MinValue).ThenBy(u => u)
            : candidates.OrderBy(u => lastAssignedAt(u) ?? DateTimeOffset.MinValue).ThenBy(u => u);
        return (byRotation.First(), strategy);
    }
}
