using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// Number leases (ADR 0055): one node at a time may send for a number; a lapsed lease is taken over, and the
/// node taking it over settles what the other node left Sending (unknown, never sent again) and sends the
/// rest once. Several nodes are stood in for by several <see cref="NumberLeases"/> on the app's database.
/// </summary>
public abstract class NumberLeaseTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_held_number_is_not_taken_by_another_node_until_its_lease_lapses_and_then_it_is_taken_over()
    {
        var tenant = await App.CreateTenantAsync();
        var number = (tenant.Id, Guid.NewGuid());
        var first = NewNode();
        var second = NewNode();

        (await first.TakeAsync([number], default)).Should().BeEmpty("nobody held it before");
        first.MaySend(number.Item2).Should().BeTrue();
        (await second.TakeAsync([number], default)).Should().BeEmpty();
        second.MaySend(number.Item2).Should().BeFalse("the first node holds it");

        await LapseAsync(number.Item2);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // the second node asks again only after a second
        (await second.TakeAsync([number], default)).Should().Equal([number.Item2], "it was taken over from the first node");
        // Calls wait a moment after a takeover (ADR 0059). A timer may fire up to a millisecond before the monotonic clock
        // MaySend reads has moved that far, so the test waits a little longer.
        await Task.Delay(NumberLeases.TakeoverPause + TimeSpan.FromMilliseconds(100));
        // Renewed, as a node's loop does every 30 % of the lease: a slow take on a loaded machine can use up the first hold's
        // 3.5 s before the check.
        await second.RenewAsync(default);
        second.MaySend(number.Item2).Should().BeTrue();

        await first.RenewAsync(default);
        first.MaySend(number.Item2).Should().BeFalse("the first node learns at its next renewal that it lost the number");
        await using var db = App.NewDbContext();
        (await db.NumberLeases.SingleAsync(l => l.ChannelId == number.Item2)).Holder.Should().Be(second.HolderId);
    }

    [Fact]
    public async Task Three_nodes_taking_the_same_numbers_in_opposite_orders_at_once_each_number_gets_exactly_one_holder()
    {
        var tenant = await App.CreateTenantAsync();
        var numbers = Enumerable.Range(0, 40).Select(_ => (tenant.Id, Guid.NewGuid())).ToList();
        var nodes = Enumerable.Range(0, 3).Select(_ => NewNode()).ToList();

        // Rounds over and over, as nodes' senders do; half the rounds go through the numbers backwards.
        await Task.WhenAll(nodes.Select((node, n) => Task.Run(async () =>
        {
            for (var round = 0; round < 10; round++)
            {
                IEnumerable<(Guid, Guid)> order = (round + n) % 2 == 0 ? numbers : Enumerable.Reverse(numbers);
                await node.TakeAsync(order.Skip(round % 3), default);
                await node.RenewAsync(default);
            }
        })));

        await using var db = App.NewDbContext();
        var ids = numbers.Select(n => n.Item2).ToList();
        var rows = await db.NumberLeases.Where(l => ids.Contains(l.ChannelId)).ToListAsync();
        rows.Should().HaveCount(numbers.Count);
        foreach (var (_, channelId) in numbers)
        {
            nodes.Count(node => node.MaySend(channelId)).Should().Be(1, "exactly one node may send for each number");
            nodes.Single(node => node.MaySend(channelId)).HolderId.Should().Be(rows.Single(r => r.ChannelId == channelId).Holder);
        }
    }

    [Fact]
    public async Task A_node_that_stops_lets_its_leases_lapse_within_the_gap_and_sends_no_more()
    {
        var tenant = await App.CreateTenantAsync();
        var number = (tenant.Id, Guid.NewGuid());
        var node = NewNode();
        await node.TakeAsync([number], default);

        await node.StopAsync(default);

        node.MaySend(number.Item2).Should().BeFalse();
        await using var db = App.NewDbContext();
        var lease = await db.NumberLeases.SingleAsync(l => l.ChannelId == number.Item2);
        lease.ExpiresAt.Should().BeBefore(DateTimeOffset.UtcNow + NumberLeases.StopBeforeExpiry + TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_reply_on_a_number_held_elsewhere_waits_and_on_takeover_the_left_behind_send_is_unknown_and_the_rest_go_once()
    {
        var chat = await Chat.StartAsync(App, customer: "1650" + Random.Shared.Next(1_000_000, 9_999_999));
        var other = Guid.CreateVersion7();
        Guid channelId;
        await using (var db = App.NewDbContext())
        {
            channelId = await db.Channels.Where(c => c.PhoneNumberId == chat.Phone).Select(c => c.Id).SingleAsync();
            (await db.NumberLeases.AnyAsync(l => l.ChannelId == channelId)).Should().BeFalse("nothing was sent on the new number yet");
            db.NumberLeases.Add(new NumberLease { TenantId = chat.Tenant.Id, ChannelId = channelId, Holder = other, Node = "another-node", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });
            await db.SaveChangesAsync();
        }

        // The other node marked the first reply Sending (its call's fate unknown) and then went silent.
        var leftBehind = await chat.ReplyAcceptedAsync(new { type = "text", text = "first" });
        await using (var db = App.NewDbContext())
        {
            (await db.OutboxItems.Where(o => o.MessageId == leftBehind && o.State == OutboxState.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.State, OutboxState.Sending).SetProperty(o => o.LeaseOwner, other).SetProperty(o => o.LeaseUntil, DateTimeOffset.UtcNow.AddHours(1))))
                .Should().Be(1);
        }

        var waiting = await chat.ReplyAcceptedAsync(new { type = "text", text = "second" });
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        fixture.Graph.Sends.Count(s => s.PhoneNumberId == chat.Phone).Should().Be(0, "another node holds the number");

        await LapseAsync(channelId);

        var sent = await chat.WaitForOutcomeAsync(waiting);
        sent.Wamid.Should().NotBeNull();
        var unknown = await chat.WaitForOutcomeAsync(leftBehind);
        unknown.Status.Should().Be(DeliveryState.Unknown, "nobody knows whether the other node's call reached Meta");
        await Task.Delay(TimeSpan.FromSeconds(1));
        fixture.Graph.Sends.Where(s => s.PhoneNumberId == chat.Phone).Should().ContainSingle("the left-behind reply is never sent again").Which.Body.Should().Contain("second");
        await using (var db = App.NewDbContext())
        {
            (await db.NumberLeases.SingleAsync(l => l.ChannelId == channelId)).Holder.Should().Be(App.Services.GetRequiredService<NumberLeases>().HolderId);
        }
    }

    private NumberLeases NewNode() => new(
        App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(),
        App.Services.GetRequiredService<SqliteWriteGate>(),
        App.Services.GetRequiredService<MigrationState>(),
        App.Services.GetRequiredService<IOptions<OutboundOptions>>(),
        TimeProvider.System,
        NullLogger<NumberLeases>.Instance);

    /// <summary>As if its holder had stopped renewing a while ago.</summary>
    private async Task LapseAsync(Guid channelId)
    {
        await using var db = App.NewDbContext();
        var lapsed = DateTimeOffset.UtcNow.AddMinutes(-1);
        (await db.NumberLeases.Where(l => l.ChannelId == channelId).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, lapsed))).Should().Be(1);
    }
}

public sealed class NumberLeaseTests_Sqlite(SqliteOutboundFixture fixture) : NumberLeaseTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class NumberLeaseTests_Postgres(PostgresOutboundFixture fixture) : NumberLeaseTests(fixture), IClassFixture<PostgresOutboundFixture>;
