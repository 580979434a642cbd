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

    /// <summary>
    /// A demo stopped while its first start was still seeding: here the tenant was committed but its key file
    /// never written, one team and a draft welcome flow exist but nothing was published. The next start must
    /// go on from there (a new admin key, the same teams, the draft published) instead of failing every time.
    /// </summary>
    [Fact]
    public async Task A_start_after_an_interrupted_first_seed_finishes_the_seeding()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "demo-" + Guid.NewGuid().ToString("N"));
        var keyPath = Path.Combine(dataDirectory, "demo-tenant.key");
        var tenantId = Guid.CreateVersion7();
        Dictionary<string, string?> Settings(bool welcomeFlow) => new()
        {
            ["Switchboard:Demo"] = "true",
            ["Switchboard:Demo:TenantId"] = tenantId.ToString(),
            ["Switchboard:Demo:WelcomeFlow"] = welcomeFlow ? "true" : "false",
            ["Switchboard:DataDirectory"] = dataDirectory,
        };

        string firstKey;
        await using (var first = await SwitchboardProcess.StartAsync(Settings(welcomeFlow: false), SwitchboardProcess.FreePort()))
        {
            using var client = first.CreateClient();
            firstKey = await Eventually.PollAsync(() => Task.FromResult(File.Exists(keyPath) ? File.ReadAllText(keyPath).Trim() : null));
            client.DefaultRequestHeaders.Authorization = new("Bearer", firstKey);
            await Eventually.PollAsync(async () =>
            {
                var page = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations");
                return page!["items"]!.AsArray().Count == 3 ? page : null;
            });

            // What a stop part-way through the welcome flow leaves: one team of two and a draft flow.
            var orders = await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/teams", new { name = "Orders", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 5 });
            orders.EnsureSuccessStatusCode();
            var ordersId = (await orders.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
            var draft = await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/flows", new
            {
                name = "Welcome",
                trigger = new { type = "new_conversation" },
                start = "to-orders",
                nodes = new object[] { new { id = "to-orders", type = "route", teamId = ordersId, text = "Someone from Orders will answer you here shortly." } },
            });
            draft.EnsureSuccessStatusCode();
            first.KillHard();
        }

        File.Delete(keyPath); // the tenant was committed, the key file never written

        await using var second = await SwitchboardProcess.StartAsync(Settings(welcomeFlow: true), SwitchboardProcess.FreePort());
        var secondKey = await Eventually.PollAsync(() => Task.FromResult(File.Exists(keyPath) ? File.ReadAllText(keyPath).Trim() : null));
        secondKey.Should().NotBe(firstKey);
        using var api = second.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", secondKey);
        var flows = await Eventually.PollAsync(async () =>
        {
            var page = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/flows");
            return page!["items"]!.AsArray() is { Count: 1 } items && items[0]!["status"]!.GetValue<string>() == "published" ? items : null;
        });
        flows[0]!["name"]!.GetValue<string>().Should().Be("Welcome");
        await Eventually.PollAsync(() => Task.FromResult(second.Output.Contains("Switchboard demo is running", StringComparison.Ordinal) ? second.Output : null));
        second.Output.Should().NotContain("Demo seeding failed");

        var teams = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/teams");
        teams!["items"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).Should().BeEquivalentTo(["Orders"]);
        var conversations = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations");
        conversations!["items"]!.AsArray().Should().HaveCount(3);

        // The seeded reply went out once, whichever start sent it.
        var sheena = conversations["items"]!.AsArray().Single(c => c!["contact"]!["waId"]!.GetValue<string>() == "16505551234")!["id"]!.GetValue<Guid>();
        var messages = await api.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenantId}/conversations/{sheena}/messages");
        messages!["items"]!.AsArray().Count(m => m!["direction"]!.GetValue<string>() == "outbound").Should().Be(1);
    }
}
