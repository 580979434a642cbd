using Switchboard.Features.Routing;

namespace Switchboard.Tests.Routing;

/// <summary>The dispatcher's hints (ADR 0048): where a queue may have moved, taken once.</summary>
public sealed class RoutingSignalTests
{
    [Fact]
    public void Hints_gather_teams_and_agents_until_taken_and_a_plain_notify_asks_for_every_queue()
    {
        var signal = new RoutingSignal();
        var tenant = Guid.NewGuid();
        var (team, agent) = (Guid.NewGuid(), Guid.NewGuid());
        signal.Take().IsEmpty.Should().BeTrue();

        signal.NotifyTeam(tenant, team);
        signal.NotifyTeam(tenant, team);
        signal.NotifyUser(tenant, agent);
        var hints = signal.Take();
        hints.Everything.Should().BeFalse();
        hints.Teams.Should().Equal((tenant, team));
        hints.Users.Should().Equal((tenant, agent));
        signal.Take().IsEmpty.Should().BeTrue("hints are taken once");

        signal.NotifyUser(tenant, agent);
        signal.Notify();
        hints = signal.Take();
        hints.Everything.Should().BeTrue();
        hints.IsEmpty.Should().BeFalse();
    }
}
