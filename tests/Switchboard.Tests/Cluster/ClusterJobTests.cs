using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Jobs;
using Switchboard.Features.Privacy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Cluster;

/// <summary>
/// A scheduled job (each tenant's rotation check) runs once per period across nodes: both nodes find the same due tenants and
/// race for them, and the claim (a compare-and-set on the due time, ADR 0021) lets exactly one run each.
/// </summary>
public sealed class ClusterJobTests
{
    [Fact]
    public async Task Two_nodes_racing_for_due_rotation_checks_run_each_once_and_none_again_in_the_same_period()
    {
        await using var nodes = await TwoNodes.StartAsync();
        var tenants = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            tenants.Add((await nodes.A.CreateTenantAsync()).Id);
        }

        var due = DateTimeOffset.UtcNow.AddMinutes(-1);
        await using (var db = nodes.Database.NewDbContext())
        {
            await db.Tenants.Where(t => tenants.Contains(t.Id)).ExecuteUpdateAsync(s => s.SetProperty(t => t.RotationCheckAt, due));
        }

        // Both nodes' runners sleep for their poll (nothing was due when they started); these rounds race each other.
        var runners = new[] { nodes.A, nodes.B }.Select(n => n.Services.GetRequiredService<JobRunner<RotationCheck>>()).ToArray();
        var ran = 0;
        for (var round = 0; round < 3; round++)
        {
            ran += (await Task.WhenAll(runners.Select(r => Task.Run(() => r.RunOnceAsync(Guid.NewGuid(), default))))).Sum();
        }

        ran.Should().Be(tenants.Count, "each due check ran on exactly one node");
        await using var check = nodes.Database.NewDbContext();
        var next = await check.Tenants.Where(t => tenants.Contains(t.Id)).Select(t => t.RotationCheckAt).ToListAsync();
        next.Should().OnlyContain(at => at > DateTimeOffset.UtcNow.AddHours(1), "the next check is a period away");
        (await Task.WhenAll(runners.Select(r => r.RunOnceAsync(Guid.NewGuid(), default)))).Sum().Should().Be(0, "nothing runs again in the same period");
    }
}
