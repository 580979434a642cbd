using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Persistence;
using Switchboard.Features.Analytics;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Outbound;
using Answer = Switchboard.Tests.Infrastructure.FakeGraphApi.SendAnswer;

namespace Switchboard.Tests.Analytics;

/// <summary>
/// Issue 19, item 7: a data set with known answers goes in through the real paths (signed webhooks,
/// replies through the API and the sender, signed status webhooks, resolutions), and every reported
/// figure is compared with a brute-force recount over the source rows: live (deltas), after folding into
/// rollups, and after a rebuild from source.
/// </summary>
public abstract class ReportsTests(OutboundFixture fixture)
{
    private const int Customers = 7;

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Every_reported_figure_equals_a_brute_force_recount_live_folded_and_rebuilt()
    {
        var data = await SeedAsync();
        using var client = App.ClientWithKey(data.Tenant.ApiKey);
        var range = $"from={data.From:yyyy-MM-ddTHH:mm:ssZ}&to={data.To:yyyy-MM-ddTHH:mm:ssZ}";

        var expected = await RecountAsync(data);
        expected.MessagesIn.Should().BeGreaterThan(Customers, "the data set has follow-up messages");
        expected.Failures.Should().HaveCount(2, "one reply failed by webhook, one by the Graph API");

        await AssertSummaryAsync(client, data, range, expected, "live, from the deltas");
        await AssertSeriesAsync(client, data, range);

        await using (var db = App.NewDbContext())
        {
            while (await RollupCompactor.FoldAsync(db, App.Services.GetRequiredService<SqliteWriteGate>(), CancellationToken.None) > 0)
            {
            }

            (await db.ReportDeltas.CountAsync(d => d.TenantId == data.Tenant.Id)).Should().Be(0);
            (await db.ReportRollups.CountAsync(d => d.TenantId == data.Tenant.Id)).Should().BeGreaterThan(0);
        }

        await AssertSummaryAsync(client, data, range, expected, "folded into rollups");
        await AssertSeriesAsync(client, data, range);

        await App.Services.GetRequiredService<RebuildReports>().RebuildAsync(data.Tenant.Id, _ => { }, CancellationToken.None);
        await AssertSummaryAsync(client, data, range, expected, "rebuilt from source");
        await AssertSeriesAsync(client, data, range);
    }

    [Fact]
    public async Task Reports_carry_no_phone_number_name_or_text_and_small_groups_are_suppressed()
    {
        var data = await SeedAsync();
        using var client = App.ClientWithKey(data.Tenant.ApiKey);
        var range = $"from={data.From:yyyy-MM-ddTHH:mm:ssZ}&to={data.To:yyyy-MM-ddTHH:mm:ssZ}";
        var bodies = new List<string>();
        foreach (var path in new[]
        {
            $"summary?{range}", $"summary?{range}&format=csv", $"summary?{range}&channelId={data.ChannelId}",
            $"timeseries?metric=messagesIn&interval=hour&{range}", $"timeseries?metric=firstResponseSeconds&interval=day&{range}&format=csv",
            $"agents?{range}", $"agents?{range}&format=csv",
        })
        {
            var response = await client.GetAsync($"/api/v1/tenants/{data.Tenant.Id}/reports/{path}");
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            bodies.Add(await response.Content.ReadAsStringAsync());
        }

        await using var db = App.NewDbContext();
        var contactIds = await db.Contacts.Where(c => c.TenantId == data.Tenant.Id).Select(c => c.Id).ToListAsync();
        var conversationIds = await db.Conversations.Where(c => c.TenantId == data.Tenant.Id).Select(c => c.Id).ToListAsync();
        contactIds.Should().HaveCount(Customers + 2);
        foreach (var body in bodies)
        {
            foreach (var secret in data.Phones.Concat(data.Names).Concat(data.Texts).Concat(contactIds.Select(i => i.ToString())).Concat(conversationIds.Select(i => i.ToString())))
            {
                body.Should().NotContainEquivalentOf(secret);
            }
        }

        // The rollups themselves name only the tenant's own channels, labels, teams and agents.
        var named = await db.ReportRollups.Select(r => r.DimensionId).Concat(db.ReportDeltas.Select(r => r.DimensionId)).Distinct().ToListAsync();
        named.Should().NotIntersectWith(contactIds).And.NotIntersectWith(conversationIds);

        // The main number has 7 customers; the small number only 2: its figures are withheld.
        var big = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{data.Tenant.Id}/reports/summary?{range}&channelId={data.ChannelId}"))!;
        big["suppressed"]!.GetValue<bool>().Should().BeFalse();
        big["messagesIn"]!.GetValue<long>().Should().BeGreaterThan(0);
        var small = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{data.Tenant.Id}/reports/summary?{range}&channelId={data.SmallChannelId}"))!;
        small["suppressed"]!.GetValue<bool>().Should().BeTrue();
        small["messagesIn"].Should().BeNull();
        var series = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{data.Tenant.Id}/reports/timeseries?metric=messagesIn&{range}&channelId={data.SmallChannelId}"))!;
        series["items"]!.AsArray().Should().OnlyContain(p => p!["value"] == null);

        // Another tenant's reports know nothing of this one.
        var other = await App.CreateTenantAsync();
        using var otherClient = App.ClientWithKey(other.ApiKey);
        var empty = (await otherClient.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{other.Id}/reports/summary?{range}"))!;
        empty["messagesIn"]!.GetValue<long>().Should().Be(0);
        (await otherClient.GetAsync($"/api/v1/tenants/{data.Tenant.Id}/reports/summary?{range}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // The operator sees sums over tenants, nothing else.
        using var op = App.OperatorClient();
        var platform = await op.GetStringAsync($"/api/v1/operator/reports?{range}");
        JsonNode.Parse(platform)!["messagesIn"]!.GetValue<long>().Should().BeGreaterThanOrEqualTo(data.Texts.Count);
        foreach (var secret in data.Phones.Concat(data.Names).Concat(data.Texts))
        {
            platform.Should().NotContain(secret);
        }

        (await op.GetAsync($"/api/v1/tenants/{data.Tenant.Id}/reports/summary?{range}")).StatusCode.Should().NotBe(HttpStatusCode.OK, "the operator does not read one tenant's reports");
    }

    [Fact]
    public async Task Bad_ranges_metrics_and_filters_are_field_errors()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        foreach (var (query, field) in new[]
        {
            ("summary?from=2026-12-05&to=2026-12-01", "to"),
            ("summary?from=yesterday", "from"),
            ("summary?from=2020-01-01&to=2026-01-01", "from"),
            ($"summary?channelId={Guid.NewGuid()}&teamId={Guid.NewGuid()}", "teamId"),
            ("summary?format=xml", "format"),
            ("timeseries?metric=nonsense", "metric"),
            ("timeseries?metric=messagesIn&interval=week", "interval"),
            ("timeseries?metric=messagesIn&interval=hour&from=2026-01-01&to=2026-12-01", "interval"),
        })
        {
            var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/reports/{query}");
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, query);
            var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
            problem!["errors"]![field].Should().NotBeNull(query);
        }
    }

    private static async Task AssertSummaryAsync(HttpClient client, DataSet data, string range, Expected expected, string because)
    {
        var summary = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{data.Tenant.Id}/reports/summary?{range}"))!;
        summary["conversationsOpened"]!.GetValue<long>().Should().Be(expected.Opened, because);
        summary["conversationsResolved"]!.GetValue<long>().Should().Be(expected.Resolved, because);
        summary["messagesIn"]!.GetValue<long>().Should().Be(expected.MessagesIn, because);
        summary["messagesOut"]!.GetValue<long>().Should().Be(expected.MessagesOut, because);
        summary["firstResponseSeconds"]!["median"]!.GetValue<long>().Should().Be(expected.FirstResponse.Median, because);
        summary["firstResponseSeconds"]!["p90"]!.GetValue<long>().Should().Be(expected.FirstResponse.P90, because);
        summary["resolutionSeconds"]!["median"]!.GetValue<long>().Should().Be(expected.Resolution.Median, because);
        summary["resolutionSeconds"]!["p90"]!.GetValue<long>().Should().Be(expected.Resolution.P90, because);
        summary["replies"]!["sent"]!.GetValue<long>().Should().Be(expected.Sent, because);
        summary["replies"]!["delivered"]!.GetValue<long>().Should().Be(expected.Delivered, because);
        summary["replies"]!["read"]!.GetValue<long>().Should().Be(expected.Read, because);
        summary["replies"]!["failed"]!.GetValue<long>().Should().Be(expected.Failures.Count, because);
        summary["failuresByCode"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<long>())
            .Should().BeEquivalentTo(expected.Failures.GroupBy(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => (long)g.Count()), because);
        summary["pricingCategories"]!["service"]!.GetValue<long>().Should().Be(expected.PricedService, because);

        var csv = await client.GetStringAsync($"/api/v1/tenants/{data.Tenant.Id}/reports/summary?{range}&format=csv");
        csv.Should().Contain($"messagesIn,{expected.MessagesIn}\r\n").And.Contain($"replies.read,{expected.Read}\r\n");
    }

    /// <summary>Every hour's messages in and out, against a recount of the messages of that hour.</summary>
    private async Task AssertSeriesAsync(HttpClient client, DataSet data, string range)
    {
        await using var db = App.NewDbContext();
        var messages = await db.Messages.AsNoTracking().Where(m => m.TenantId == data.Tenant.Id && m.Direction != MessageDirection.Note)
            .Select(m => new { m.Direction, m.Timestamp }).ToListAsync();
        foreach (var (metric, direction) in new[] { ("messagesIn", MessageDirection.Inbound), ("messagesOut", MessageDirection.Outbound) })
        {
            var series = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{data.Tenant.Id}/reports/timeseries?metric={metric}&interval=hour&{range}"))!;
            var points = series["items"]!.AsArray().ToDictionary(p => p!["at"]!.GetValue<DateTimeOffset>(), p => p!["value"]!.GetValue<long>());
            var lastHour = DurationBuckets.HourOf(data.To) == data.To ? data.To : DurationBuckets.HourOf(data.To).AddHours(1);
            points.Should().HaveCount((int)(lastHour - DurationBuckets.HourOf(data.From)).TotalHours, "from and to round out to whole hours");
            var recount = messages.Where(m => m.Direction == direction).GroupBy(m => DurationBuckets.HourOf(m.Timestamp)).ToDictionary(g => g.Key, g => (long)g.Count());
            foreach (var (at, value) in points)
            {
                value.Should().Be(recount.GetValueOrDefault(at), $"{metric} at {at:O}");
            }

            var daily = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{data.Tenant.Id}/reports/timeseries?metric={metric}&interval=day&{range}"))!;
            daily["items"]!.AsArray().Sum(p => p!["value"]!.GetValue<long>()).Should().Be(recount.Values.Sum());
        }
    }

    /// <summary>The brute-force recount: straight from messages, statuses and the conversation event log.</summary>
    private async Task<Expected> RecountAsync(DataSet data)
    {
        await using var db = App.NewDbContext();
        var tenantId = data.Tenant.Id;
        var messages = await db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.Direction != MessageDirection.Note).ToListAsync();
        var byConversation = messages.GroupBy(m => m.ConversationId).ToList();
        var firstResponses = new List<long>();
        foreach (var conversation in byConversation)
        {
            var firstIn = conversation.Where(m => m.Direction == MessageDirection.Inbound).Min(m => m.Timestamp);
            var firstOut = conversation.Where(m => m.Direction == MessageDirection.Outbound && m.Timestamp >= firstIn).Select(m => (DateTimeOffset?)m.Timestamp).Min();
            if (firstOut is { } answered)
            {
                firstResponses.Add(DurationBuckets.Seconds(firstIn, answered));
            }
        }

        var resolvedEvents = await db.RealtimeEvents.AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Type == RealtimeEventTypes.ConversationChanged && e.Detail == "resolved").ToListAsync();
        var resolutions = resolvedEvents.Select(e => DurationBuckets.Seconds(
            messages.Where(m => m.ConversationId == e.ConversationId && m.Direction == MessageDirection.Inbound).Min(m => m.Timestamp), e.CreatedAt)).ToList();
        var outbound = messages.Where(m => m.Direction == MessageDirection.Outbound).ToList();
        var priced = await db.StatusUpdates.AsNoTracking().CountAsync(s => s.TenantId == tenantId && s.Status == DeliveryState.Sent && s.PricingCategory == "service");
        return new Expected(
            byConversation.Count,
            resolvedEvents.Count,
            messages.Count(m => m.Direction == MessageDirection.Inbound),
            outbound.Count,
            NearestRank(firstResponses),
            NearestRank(resolutions),
            outbound.Count(m => m.Status is DeliveryState.Sent or DeliveryState.Delivered or DeliveryState.Read),
            outbound.Count(m => m.Status is DeliveryState.Delivered or DeliveryState.Read),
            outbound.Count(m => m.Status == DeliveryState.Read),
            [.. outbound.Where(m => m.Status == DeliveryState.Failed).Select(m => m.ErrorCode ?? 0)],
            priced);
    }

    /// <summary>The exact nearest-rank median and 90th percentile, reported as the lower bound of their bucket.</summary>
    private static (long Median, long P90) NearestRank(List<long> values)
    {
        values.Should().NotBeEmpty();
        var sorted = values.Order().ToList();
        long At(double p) => DurationBuckets.LowerBound(DurationBuckets.Of(sorted[(int)Math.Ceiling(p * sorted.Count) - 1]));
        return (At(0.5), At(0.9));
    }

    /// <summary>
    /// Seven customers on one number (each wrote minutes to hours ago, some twice) and two on a second;
    /// one reply each, a second reply after a follow-up for some; statuses sent/delivered/read with pricing,
    /// a failure by webhook (131047) and one by the Graph API (131026); four conversations resolved.
    /// </summary>
    private async Task<DataSet> SeedAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var smallPhone = Builders.NewPhoneNumberId();
        var smallChannel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(smallPhone));
        var previous = fixture.Graph.Answer;
        fixture.Graph.Answer = sent => sent.PhoneNumberId != phone && sent.PhoneNumberId != smallPhone ? previous(sent)
            : sent.Body.Contains("graph-refuses", StringComparison.Ordinal) ? Answer.Error(400, 131026, "Message undeliverable")
            : Answer.Accept("wamid.out-" + Guid.NewGuid().ToString("N"));

        var now = DateTimeOffset.UtcNow;
        var data = new DataSet(tenant, Guid.Parse(channel["id"]!.GetValue<string>()), Guid.Parse(smallChannel["id"]!.GetValue<string>()), now.AddDays(-1), now.AddHours(2));
        var customers = new List<(string Phone, string Number)>();
        for (var i = 0; i < Customers + 2; i++)
        {
            var number = $"1650555{Random.Shared.Next(1000, 9999)}{i}";
            var name = $"Reportcustomer{Guid.NewGuid():N}"[..24];
            var text = $"question-{Guid.NewGuid():N}";
            var on = i < Customers ? phone : smallPhone;
            var wroteAt = now.AddMinutes(-(7 * i * i) - 3).ToUnixTimeSeconds();
            var messages = new List<WebhookPayloads.Inbound> { new("wamid.in-" + Guid.NewGuid().ToString("N"), number, text, wroteAt, name) };
            if (i % 2 == 0)
            {
                var followUp = $"followup-{Guid.NewGuid():N}";
                messages.Add(new("wamid.in-" + Guid.NewGuid().ToString("N"), number, followUp, wroteAt + 40, name));
                data.Texts.Add(followUp);
            }

            (await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(on, [.. messages]))).StatusCode.Should().Be(HttpStatusCode.OK);
            data.Phones.Add(number);
            data.Names.Add(name);
            data.Texts.Add(text);
            customers.Add((on, number));
        }

        await App.WaitForWebhooksAsync();
        var conversations = await App.ConversationsAsync(tenant);
        conversations.Should().HaveCount(Customers + 2);
        using var client = App.ClientWithKey(tenant.ApiKey);
        var statuses = new Dictionary<string, List<object>> { [phone] = [], [smallPhone] = [] };
        var channelIds = new Dictionary<Guid, string> { [data.ChannelId] = phone, [data.SmallChannelId] = smallPhone };
        var index = 0;
        foreach (var conversation in conversations.OrderBy(c => c!["id"]!.GetValue<string>()))
        {
            var id = conversation!["id"]!.GetValue<Guid>();
            var chat = new Chat(App, tenant, phone, id, Guid.Empty, "");
            var reply = await chat.ReplyAcceptedAsync(new { type = "text", text = index == 5 ? "graph-refuses this" : $"answer {index}" }, Guid.NewGuid().ToString());
            var sent = await chat.WaitForOutcomeAsync(reply);
            var at = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var states = (index % 5) switch
            {
                0 or 1 => new[] { "sent", "delivered", "read" },
                2 => ["sent", "delivered"],
                3 => ["sent"],
                _ => index == 4 ? ["failed"] : [],
            };
            foreach (var state in states)
            {
                statuses[channelIds[conversation["channelId"]!.GetValue<Guid>()]].Add(new
                {
                    id = sent.Wamid,
                    status = state,
                    timestamp = at.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    recipient_id = "16505551234",
                    pricing = state == "sent" ? new { billable = false, pricing_model = "PMP", category = "service" } : null,
                    errors = state == "failed" ? new[] { new { code = 131047, title = "Re-engagement message", message = "Re-engagement message" } } : null,
                });
            }

            if (index is 0 or 2 or 3 or 6)
            {
                (await client.PostAsync($"/api/v1/tenants/{tenant.Id}/conversations/{id}/resolve", null)).StatusCode.Should().BeOneOf(HttpStatusCode.OK, HttpStatusCode.NoContent);
            }

            index++;
        }

        // Statuses of both numbers, batched the way Meta batches them, and one webhook replayed.
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(phone, statuses: statuses[phone]), WebhookPayloads.Change(smallPhone, statuses: statuses[smallPhone])]]);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        await Task.Delay(300);
        return data;
    }

    private sealed record DataSet(TestTenant Tenant, Guid ChannelId, Guid SmallChannelId, DateTimeOffset From, DateTimeOffset To)
    {
        public List<string> Phones { get; } = [];

        public List<string> Names { get; } = [];

        public List<string> Texts { get; } = [];
    }

    private sealed record Expected(
        long Opened, long Resolved, long MessagesIn, long MessagesOut, (long Median, long P90) FirstResponse, (long Median, long P90) Resolution,
        long Sent, long Delivered, long Read, List<int> Failures, long PricedService);
}

public sealed class ReportsTests_Sqlite(SqliteOutboundFixture fixture) : ReportsTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class ReportsTests_Postgres(PostgresOutboundFixture fixture) : ReportsTests(fixture), IClassFixture<PostgresOutboundFixture>;
