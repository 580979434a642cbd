using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// A sender round serves every number that needs work, whatever the age of other numbers' queues. It used
/// to read the oldest due replies of all numbers in one window: two numbers with older backlogs filled
/// it, and a number whose replies were queued later got none while its lane ran dry (on PostgreSQL the
/// numbers queued last fell to 44–69 msg/s of 76.8 (the pacing ceiling then) in the send benchmark, docs/benchmarks.md).
/// </summary>
public abstract class SendRoundFairnessTests(AppFixture fixture)
{
    private const int Capacity = 100;
    private static readonly TimeSpan LaneBacklog = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task A_number_whose_replies_were_queued_last_gets_its_share_beside_older_backlogs()
    {
        var app = fixture.App;
        var (older, old, latest, latestIds, dueAt) = await ThreeBacklogsAsync(app);

        await using var db = app.NewDbContext();
        var round = await DueReplies.ReadAsync(db, new Pacer(new StoppedClock()), Leases(app), [], LaneBacklog, Capacity, dueAt, CancellationToken.None);

        // 0.4 s of an 80/s lane (paced at 78.4/s) is 31 replies.
        round.Shares.Should().BeEquivalentTo(new Dictionary<Guid, int> { [older] = 31, [old] = 31, [latest] = 31 });
        round.Items.Where(i => i.ChannelId == latest).Select(i => i.Id).Should().BeEquivalentTo(latestIds, "the latest number's replies are all read, not crowded out by 600 older ones");
        round.Items.Count(i => i.ChannelId == older).Should().Be(62, "each number is read up to twice its share");
        foreach (var number in new[] { older, old, latest })
        {
            round.Items.Where(i => i.ChannelId == number).Should().BeInAscendingOrder(i => i.CreatedAt, "each number's replies keep their queue order");
        }
    }

    [Fact]
    public async Task When_the_node_is_short_of_room_the_number_with_the_fullest_lane_waits_not_the_one_queued_last()
    {
        var app = fixture.App;
        var (older, old, latest, _, dueAt) = await ThreeBacklogsAsync(app);

        // The oldest number already has 10 replies (128 ms) waiting in its lane (the pacer's clock stands
        // still, so they stay waiting); the node has room for 50 more.
        var pacer = new Pacer(new StoppedClock());
        for (var i = 0; i < 10; i++)
        {
            pacer.Reserve(older, 80);
        }

        await using var db = app.NewDbContext();
        var round = await DueReplies.ReadAsync(db, pacer, Leases(app), [], LaneBacklog, 50, dueAt, CancellationToken.None);

        round.Shares.Keys.Should().BeEquivalentTo([old, latest]);
        round.Items.Should().NotContain(i => i.ChannelId == older);
        round.Items.Count(i => i.ChannelId == latest).Should().Be(20);
    }

    [Fact]
    public async Task A_number_still_well_fed_is_left_out_and_a_gone_number_is_read_so_its_replies_fail()
    {
        var app = fixture.App;
        var tenant = await app.CreateTenantAsync();
        var fed = await CreateChannelAsync(app, tenant);
        var gone = Guid.NewGuid();
        var (queuedAt, dueAt) = await FarAheadAsync(app);
        await QueueAsync(app, tenant, fed, 50, queuedAt);
        var goneIds = await QueueAsync(app, tenant, gone, 10, queuedAt.AddSeconds(1));

        await using var db = app.NewDbContext();
        var round = await DueReplies.ReadAsync(db, new Pacer(new StoppedClock()), Leases(app), [fed], LaneBacklog, Capacity, dueAt, CancellationToken.None);

        round.Shares.Keys.Should().Equal(gone);
        round.Channels.Should().NotContainKey(gone, "the round fails the replies of a number that no longer exists");
        round.Items.Select(i => i.Id).Should().BeEquivalentTo(goneIds);
    }

    /// <summary>The app's own number leases: the round takes the numbers it reads (ADR 0055), which nobody else holds.</summary>
    private static NumberLeases Leases(SwitchboardApp app) => app.Services.GetRequiredService<NumberLeases>();

    /// <summary>A clock that stands still, so that what a pacer's lanes hold does not drain during the test.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        private readonly long now = Stopwatch.GetTimestamp();

        public override long GetTimestamp() => now;
    }

    /// <summary>Three numbers of one tenant: 300 replies queued first, 300 a second later, and 20 (returned) a second after that.</summary>
    private static async Task<(Guid Older, Guid Old, Guid Latest, List<Guid> LatestIds, DateTimeOffset DueAt)> ThreeBacklogsAsync(SwitchboardApp app)
    {
        var tenant = await app.CreateTenantAsync();
        var older = await CreateChannelAsync(app, tenant);
        var old = await CreateChannelAsync(app, tenant);
        var latest = await CreateChannelAsync(app, tenant);
        var (queuedAt, dueAt) = await FarAheadAsync(app);
        await QueueAsync(app, tenant, older, 300, queuedAt);
        await QueueAsync(app, tenant, old, 300, queuedAt.AddSeconds(1));
        var latestIds = await QueueAsync(app, tenant, latest, 20, queuedAt.AddSeconds(2));
        return (older, old, latest, latestIds, dueAt);
    }

    private static async Task<Guid> CreateChannelAsync(SwitchboardApp app, TestTenant tenant) =>
        (await app.CreateChannelAsync(tenant, Builders.ChannelRequest(Builders.NewPhoneNumberId())))["id"]!.GetValue<Guid>();

    /// <summary>
    /// Replies queued and due a day from now, so that the app's own sender leaves them alone; the previous
    /// test's such replies are removed first (the tests of a class run one after the other).
    /// </summary>
    private static async Task<(DateTimeOffset QueuedAt, DateTimeOffset DueAt)> FarAheadAsync(SwitchboardApp app)
    {
        var queuedAt = DateTimeOffset.UtcNow.AddDays(1);
        await using var db = app.NewDbContext();
        await db.OutboxItems.Where(o => o.NextAttemptAt > queuedAt.AddHours(-1)).ExecuteDeleteAsync();
        return (queuedAt, queuedAt.AddMinutes(1));
    }

    private static async Task<List<Guid>> QueueAsync(SwitchboardApp app, TestTenant tenant, Guid channelId, int count, DateTimeOffset queuedAt)
    {
        var items = Enumerable.Range(0, count).Select(i => new OutboxItem
        {
            TenantId = tenant.Id,
            Id = Guid.CreateVersion7(),
            ChannelId = channelId,
            ContactId = Guid.NewGuid(),
            Kind = OutboxKind.Message,
            State = OutboxState.Pending,
            Request = [1],
            NextAttemptAt = queuedAt,
            CreatedAt = queuedAt.AddMilliseconds(i),
        }).ToList();
        await using var db = app.NewDbContext();
        db.OutboxItems.AddRange(items);
        await db.SaveChangesAsync();
        return [.. items.Select(i => i.Id)];
    }
}

public sealed class SendRoundFairnessTests_Sqlite(SqliteAppFixture fixture) : SendRoundFairnessTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SendRoundFairnessTests_Postgres(PostgresAppFixture fixture) : SendRoundFairnessTests(fixture), IClassFixture<PostgresAppFixture>;
