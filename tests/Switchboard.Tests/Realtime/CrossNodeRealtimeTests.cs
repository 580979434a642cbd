using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Realtime;

/// <summary>
/// Two Switchboard nodes on one PostgreSQL database: a webhook processed by node A reaches an event
/// stream held open on node B, through LISTEN/NOTIFY.
/// </summary>
public sealed class CrossNodeRealtimeTests
{
    [Fact]
    public async Task An_event_on_one_node_reaches_a_stream_open_on_another_node()
    {
        await using var database = new PostgresTestDatabase();
        await database.CreateAsync();
        await using var nodeA = new SwitchboardApp(database);
        _ = nodeA.Server;
        await using var nodeB = new SwitchboardApp(database, new Dictionary<string, string?>
        {
            ["Switchboard:MasterKey"] = nodeA.MasterKey,
            ["Switchboard:OperatorApiKey"] = nodeA.OperatorKey,
        });
        var tenant = await nodeA.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await nodeA.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var streamClient = nodeB.ClientWithKey(tenant.ApiKey);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/tenants/{tenant.Id}/events");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await streamClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        (await reader.ReadLineAsync(cancel.Token)).Should().StartWith("retry:");

        (await nodeA.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("Hello across nodes")))).EnsureSuccessStatusCode();

        string? eventType = null;
        JsonObject? data = null;
        while (data is null && await reader.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = JsonNode.Parse(line["data: ".Length..])!.AsObject();
            }
        }

        eventType.Should().Be("message.received");
        data!["sequence"]!.GetValue<long>().Should().Be(1);
        data["messageId"]!.GetValue<Guid>().Should().NotBeEmpty();
        var messages = await nodeB.MessagesAsync(tenant);
        messages.Single()["id"]!.GetValue<Guid>().Should().Be(data["messageId"]!.GetValue<Guid>());
    }
}
