using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Realtime;

/// <summary>The tenant's Server-Sent Events stream: live events, and a resume after a disconnect that misses nothing.</summary>
public abstract class EventStreamTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Events_arrive_live_and_a_client_resuming_with_Last_Event_ID_gets_exactly_what_it_missed()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var client = App.ClientWithKey(tenant.ApiKey);

        List<(long Id, string Type, JsonObject Data)> live;
        using (var stream = await OpenAsync(client, tenant, lastEventId: null))
        {
            await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("first")));
            live = await ReadEventsAsync(stream, 1);
        }

        live.Single().Type.Should().Be("message.received");
        var conversationId = live.Single().Data["conversationId"]!.GetValue<Guid>();
        live.Single().Data["messageId"]!.GetValue<Guid>().Should().NotBeEmpty();

        // While nobody listens: a resolve, a note, another customer message.
        (await client.PostAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/resolve", null)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/messages", new { type = "note", text = "called them back" })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("second")));
        await App.WaitForWebhooksAsync();

        using var resumed = await OpenAsync(client, tenant, lastEventId: live.Single().Id);
        var missed = await ReadEventsAsync(resumed, 3);

        missed.Select(e => e.Id).Should().Equal(live.Single().Id + 1, live.Single().Id + 2, live.Single().Id + 3);
        missed.Select(e => e.Type).Should().Equal("conversation.changed", "message.queued", "message.received");
        missed[0].Data["detail"]!.GetValue<string>().Should().Be("resolved");
    }

    [Fact]
    public async Task Concurrent_writers_of_one_tenant_commit_their_events_in_sequence_order_without_gaps()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var client = App.ClientWithKey(tenant.ApiKey);
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello")));
        await App.WaitForWebhooksAsync();
        var conversationId = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations?limit=1"))!["items"]![0]!["id"]!.GetValue<Guid>();
        long first;
        await using (var db = App.NewDbContext())
        {
            first = await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id).MaxAsync(e => e.Sequence);
        }

        // A reader polls the log while 40 notes commit at once: every read must continue the sequence it saw,
        // which fails if an event could commit after one with a higher number.
        const int writers = 40;
        var seen = new List<long>();
        var reader = Task.Run(async () =>
        {
            var last = first;
            while (last < first + writers)
            {
                await using var db = App.NewDbContext();
                var next = await db.RealtimeEvents.Where(e => e.TenantId == tenant.Id && e.Sequence > last).OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
                foreach (var sequence in next)
                {
                    sequence.Should().Be(last + 1, "a reader never sees a later event before an earlier one");
                    seen.Add(sequence);
                    last = sequence;
                }

                await Task.Delay(5);
            }
        });
        var notes = Enumerable.Range(0, writers).Select(i => client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversationId}/messages", new { type = "note", text = $"note {i}" }));
        (await Task.WhenAll(notes)).Should().AllSatisfy(r => r.StatusCode.Should().Be(HttpStatusCode.Accepted));
        await reader.WaitAsync(TimeSpan.FromSeconds(30));

        seen.Should().Equal(Enumerable.Range(1, writers).Select(i => first + i));
    }

    [Fact]
    public async Task Another_tenant_and_the_operator_cannot_open_the_stream()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();

        using var bClient = App.ClientWithKey(b.ApiKey);
        using var operatorClient = App.OperatorClient();

        (await bClient.GetAsync($"/api/v1/tenants/{a.Id}/events")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await operatorClient.GetAsync($"/api/v1/tenants/{a.Id}/events")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await App.CreateClient().GetAsync($"/api/v1/tenants/{a.Id}/events")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    private static async Task<StreamReader> OpenAsync(HttpClient client, TestTenant tenant, long? lastEventId)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenant.Id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync())!.Should().StartWith("retry:");
        return reader;
    }

    private static async Task<List<(long Id, string Type, JsonObject Data)>> ReadEventsAsync(StreamReader reader, int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var events = new List<(long, string, JsonObject)>();
        long id = 0;
        var type = "";
        while (events.Count < count && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((id, type, JsonNode.Parse(line[6..])!.AsObject()));
            }
        }

        return events;
    }
}

public sealed class EventStreamTests_Sqlite(SqliteAppFixture fixture) : EventStreamTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class EventStreamTests_Postgres(PostgresAppFixture fixture) : EventStreamTests(fixture), IClassFixture<PostgresAppFixture>;
