using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Demo;

/// <summary>
/// The README's run command (Switchboard__Demo=true) as a real process: the demo tenant is seeded, the
/// built-in simulator's customers write in over signed webhooks, the agent's reply is delivered and read,
/// and a person playing a customer on the simulator can answer the business's buttons.
/// </summary>
public sealed class DemoModeTests
{
    [Fact]
    public async Task The_demo_shows_a_full_round_trip_through_the_built_in_simulator()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "demo-" + Guid.NewGuid().ToString("N"));
        var tenantId = Guid.CreateVersion7();
        var port = SwitchboardProcess.FreePort();
        await using var server = await SwitchboardProcess.StartAsync(
            new Dictionary<string, string?>
            {
                ["Switchboard:Demo"] = "true",
                ["Switchboard:Demo:TenantId"] = tenantId.ToString(),
                ["Switchboard:Demo:Simulator:Statuses:DuplicateRate"] = "0",
                ["Switchboard:DataDirectory"] = dataDirectory,
            },
            port);
        using var client = server.CreateClient();
        var apiKey = await Eventually.PollAsync(() => Task.FromResult(File.Exists(Path.Combine(dataDirectory, "demo-tenant.key")) ? File.ReadAllText(Path.Combine(dataDirectory, "demo-tenant.key")).Trim() : null));
        client.DefaultRequestHeaders.Authorization = new("Bearer", apiKey);

        var conversations = await Eventually.PollAsync(async () =>
        {
            var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations");
            return page!["items"]!.AsArray() is { Count: 3 } items ? items : null;
        });
        var sheena = conversations.Single(c => c!["contact"]!["name"]!.GetValue<string>() == "Sheena Nelson")!["id"]!.GetValue<Guid>();
        var reply = await Eventually.PollAsync(async () =>
        {
            var messages = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations/{sheena}/messages");
            return messages!["items"]!.AsArray().FirstOrDefault(m => m!["direction"]!.GetValue<string>() == "outbound" && m["status"]!.GetValue<string>() == "read");
        });
        reply!["type"]!.GetValue<string>().Should().Be("interactive");
        var oliver = conversations.Single(c => c!["contact"]!["name"]!.GetValue<string>() == "Oliver Smith")!["id"]!.GetValue<Guid>();
        await Eventually.PollAsync(async () =>
        {
            var messages = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations/{oliver}/messages");
            return messages!["items"]!.AsArray().FirstOrDefault(m => m!["media"]?["state"]?.GetValue<string>() == "stored");
        });

        // Playing the customer: tap the business's "30 cm" button on the simulator's phone.
        (await client.GetStringAsync("/simulator/")).Should().Contain("WhatsApp customer (simulated)");
        var tap = await client.PostAsJsonAsync("/simulator/api/customers/16505551234/messages", new
        {
            phoneNumberId = "100000000000001",
            type = "interactive",
            buttonId = "pot-30",
            buttonTitle = "30 cm",
            buttonKind = "button_reply",
            replyToWamid = reply["wamid"]!.GetValue<string>(),
        });
        tap.EnsureSuccessStatusCode();
        var answer = await Eventually.PollAsync(async () =>
        {
            var messages = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations/{sheena}/messages");
            return messages!["items"]!.AsArray().FirstOrDefault(m => m!["type"]!.GetValue<string>() == "interactive" && m["direction"]!.GetValue<string>() == "inbound");
        });
        answer!["text"]!.GetValue<string>().Should().Be("30 cm");
        answer["replyTo"]!["messageId"]!.GetValue<Guid>().Should().Be(reply["id"]!.GetValue<Guid>());
    }

}
