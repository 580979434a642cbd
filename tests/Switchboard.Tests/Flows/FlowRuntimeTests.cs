using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Features.Flows;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Outbound;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Flows;

/// <summary>Whole flows driven by signed webhooks, answered through the outbox to the fake Graph API (ADR 0029).</summary>
public abstract class FlowRuntimeTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_new_customer_gets_the_department_list_and_their_choice_routes_them_to_that_team()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        await flows.PublishAsync(flows.MenuFlow());
        var customer = FlowScenario.NewCustomer();

        await flows.WritesAsync(customer, "Hello, my son starts in September");
        var menu = (await flows.WaitForSendsAsync(customer, 1)).Single();
        menu["type"]!.GetValue<string>().Should().Be("interactive");
        menu["interactive"]!["type"]!.GetValue<string>().Should().Be("list");
        menu["interactive"]!["body"]!["text"]!.GetValue<string>().Should().Be("Welcome! Which department?");
        menu["interactive"]!["action"]!["sections"]![0]!["rows"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).Should().Equal("sales", "support");

        await flows.ChoosesAsync(customer, "support", "Support");
        var sent = await flows.WaitForSendsAsync(customer, 2);
        sent[1]["text"]!["body"]!.GetValue<string>().Should().Be("Connecting you to Support.");
        var session = await flows.WaitForSessionAsync(customer, s => s.State == FlowSessionState.Ended);
        session.EndReason.Should().Be("routed");
        var conversation = await flows.ConversationAsync(customer);
        conversation["teamId"]!.GetValue<Guid>().Should().Be(flows.Support);
        conversation["queuePosition"]!.GetValue<int>().Should().Be(1, "it waits in Support's queue for a person");

        var messages = await flows.MessagesAsync(customer);
        messages.Where(m => m["direction"]!.GetValue<string>() == "outbound").Should().HaveCount(2)
            .And.OnlyContain(m => m["author"]!.GetValue<string>() == "bot");
        await using var db = App.NewDbContext();
        var row = await db.Conversations.AsNoTracking().SingleAsync(c => c.TenantId == flows.Tenant.Id && c.Id == session.ConversationId);
        row.FirstResponseAt.Should().BeNull("the bot's answers are no agent's first response");
    }

    [Fact]
    public async Task Three_answers_that_fit_no_option_hand_the_customer_to_a_person_with_the_transcript()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        await flows.PublishAsync(flows.MenuFlow());
        var customer = FlowScenario.NewCustomer();
        await flows.WritesAsync(customer, "hi");
        await flows.WaitForSendsAsync(customer, 1);

        await flows.WritesAsync(customer, "what?");
        var afterFirst = await flows.WaitForSendsAsync(customer, 3);
        afterFirst[1]["text"]!["body"]!.GetValue<string>().Should().Be("Please choose one of the options.");
        afterFirst[2]["interactive"]!["type"]!.GetValue<string>().Should().Be("list", "the menu comes again");
        await flows.WritesAsync(customer, "2nd nonsense");
        await flows.WaitForSendsAsync(customer, 5);
        await flows.WritesAsync(customer, "banana");

        var session = await flows.WaitForSessionAsync(customer, s => s.State == FlowSessionState.Ended);
        session.EndReason.Should().Be("invalid_answers");
        var note = (await flows.MessagesAsync(customer)).Single(m => m["type"]!.GetValue<string>() == "note");
        note["author"]!.GetValue<string>().Should().Be("bot");
        note["text"]!.GetValue<string>().Should().Contain("Transcript").And.Contain("Customer: banana").And.Contain("Bot: Please choose one of the options.");
        await Task.Delay(500);
        flows.SentTo(customer).Should().HaveCount(5, "nothing more goes to the customer, and the note never does");
    }

    [Fact]
    public async Task A_handoff_keyword_or_an_agents_reply_stops_the_bot()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        await flows.PublishAsync(flows.MenuFlow());
        var byKeyword = FlowScenario.NewCustomer();
        var byAgent = FlowScenario.NewCustomer();
        await flows.WritesAsync(byKeyword, "hi");
        await flows.WritesAsync(byAgent, "hello");
        await flows.WaitForSendsAsync(byKeyword, 1);
        await flows.WaitForSendsAsync(byAgent, 1);

        await flows.WritesAsync(byKeyword, "Agent please");
        (await flows.WaitForSessionAsync(byKeyword, s => s.State == FlowSessionState.Ended)).EndReason.Should().Be("keyword");

        using var client = App.ClientWithKey(flows.Tenant.ApiKey);
        var reply = await client.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/conversations/{await flows.ConversationIdAsync(byAgent)}/messages", new { type = "text", text = "Hi, I am Maria from the office." });
        reply.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await flows.SessionAsync(byAgent)).State.Should().Be(FlowSessionState.Ended, "the agent's reply ends the session in its own transaction");
        (await flows.SessionAsync(byAgent)).EndReason.Should().Be("agent_replied");
        await flows.ChoosesAsync(byAgent, "sales", "Sales");
        await flows.WritesAsync(byKeyword, "1");
        await Task.Delay(700);

        flows.SentTo(byKeyword).Should().HaveCount(1, "after the keyword the bot is silent");
        flows.SentTo(byAgent).Should().HaveCount(2, "the menu and the agent's reply; the bot does not answer the tap");
        (await flows.MessagesAsync(byAgent)).Last(m => m["direction"]!.GetValue<string>() == "outbound")["author"]!.GetValue<string>().Should().Be("api");
        (await flows.ConversationAsync(byAgent))["teamId"].Should().BeNull("the bot did not route the tap");
    }

    [Fact]
    public async Task Outside_the_24_hour_window_the_bot_stays_silent()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        await flows.PublishAsync(flows.MenuFlow());
        var customer = FlowScenario.NewCustomer();

        await flows.WritesAsync(customer, "Written two days ago, delivered late", DateTimeOffset.UtcNow.AddDays(-2));

        var session = await flows.WaitForSessionAsync(customer, s => s.State == FlowSessionState.Ended);
        session.EndReason.Should().Be("not_started");
        await Task.Delay(500);
        flows.SentTo(customer).Should().BeEmpty();
        (await flows.MessagesAsync(customer)).Should().OnlyContain(m => m["direction"]!.GetValue<string>() == "inbound");
    }

    [Fact]
    public async Task A_conversation_keeps_the_version_it_started_with_and_a_question_saves_a_valid_answer_to_the_contact()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/contact-attributes", new { key = "email", label = "Email", type = "text" })).EnsureSuccessStatusCode();
        object Flow(string thanks) => new
        {
            name = "Ask",
            trigger = new { type = "keyword", keywords = new[] { "register" } },
            nodes = new object[]
            {
                new { id = "ask", type = "ask", text = "Your email?", validation = "email", attribute = "email", error = "That is no email address.", next = "thanks" },
                new { id = "thanks", type = "text", text = thanks },
            },
        };
        var id = await flows.PublishAsync(Flow("Thanks, version one."));
        var customer = FlowScenario.NewCustomer();
        await flows.WritesAsync(customer, "Register");
        await flows.WaitForSendsAsync(customer, 1);

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows/{id}", Flow("Thanks, version two."))).StatusCode.Should().Be(HttpStatusCode.OK);
        var republished = await (await admin.PostAsync($"/api/v1/tenants/{flows.Tenant.Id}/flows/{id}/publish", null)).ReadJsonAsync();
        republished["publishedVersion"]!.GetValue<int>().Should().Be(2);

        await flows.WritesAsync(customer, "not-an-address");
        (await flows.WaitForSendsAsync(customer, 3))[1]["text"]!["body"]!.GetValue<string>().Should().Be("That is no email address.");
        await flows.WritesAsync(customer, "parent@example.test");

        var sent = await flows.WaitForSendsAsync(customer, 4);
        sent[3]["text"]!["body"]!.GetValue<string>().Should().Be("Thanks, version one.");
        (await flows.WaitForSessionAsync(customer, s => s.State == FlowSessionState.Ended)).Version.Should().Be(1);
        var contact = (await flows.ConversationAsync(customer))["contact"]!["id"]!.GetValue<Guid>();
        var profile = await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/tenants/{flows.Tenant.Id}/contacts/{contact}");
        profile!["attributes"]!["email"]!.GetValue<string>().Should().Be("parent@example.test");
    }

    [Fact]
    public async Task Out_of_hours_and_no_agent_flows_start_only_while_their_condition_holds()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        async Task<Guid> CalendarAsync(bool open)
        {
            var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/calendars", new
            {
                name = open ? "Always open" : "Never open",
                timeZone = "Europe/Madrid",
                hours = open ? new[] { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" }.Select(d => new { day = d, from = "00:00", to = "24:00" }).ToArray() : [],
            });
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.ReadJsonAsync())["id"]!.GetValue<Guid>();
        }

        static object Say(string name, object trigger, string text) => new { name, trigger, nodes = new object[] { new { id = "say", type = "text", text } } };
        async Task<string> FirstReplyToANewCustomerAsync()
        {
            var customer = FlowScenario.NewCustomer();
            await flows.WritesAsync(customer, "Hello?");
            var sent = await flows.WaitForSendsAsync(customer, 1);
            sent.Should().ContainSingle("one flow starts per conversation");
            return sent[0]["text"]!["body"]!.GetValue<string>();
        }

        var open = await CalendarAsync(open: true);
        var closed = await CalendarAsync(open: false);
        await flows.PublishAsync(Say("Daytime", new { type = "outside_hours", calendarId = open }, "Not sent: this calendar is open."));
        await flows.PublishAsync(Say("Nobody here", new { type = "no_agent" }, "Nobody is free right now; you are first in line."));
        await flows.PublishAsync(Say("Welcome", new { type = "new_conversation" }, "Hello! How can we help?"));

        (await FirstReplyToANewCustomerAsync()).Should().Be("Nobody is free right now; you are first in line.", "no agent of the tenant is online");

        var agent = await App.CreateUserAsync(flows.Tenant);
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/agents/{agent}/availability", new { status = "online" })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await FirstReplyToANewCustomerAsync()).Should().Be("Hello! How can we help?", "an agent is online and the calendar is open");

        await flows.PublishAsync(Say("Night", new { type = "outside_hours", calendarId = closed }, "We are closed; we answer from 8:00."));
        (await FirstReplyToANewCustomerAsync()).Should().Be("We are closed; we answer from 8:00.");
    }

    [Fact]
    public async Task Every_kind_of_node_condition_and_answer_check_does_its_part_through_webhooks()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        async Task<Guid> CreateAsync(string path, object body)
        {
            var response = await admin.PostAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/{path}", body);
            response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
            return (await response.ReadJsonAsync())["id"]?.GetValue<Guid>() ?? Guid.Empty;
        }

        await CreateAsync("contact-attributes", new { key = "children", label = "Children", type = "number" });
        await CreateAsync("contact-attributes", new { key = "start_date", label = "Start date", type = "date" });
        await CreateAsync("contact-attributes", new { key = "stage", label = "Stage", type = "text" });
        await CreateAsync("labels", new { name = "admissions", color = "#1f883d" });
        var closed = await CreateAsync("calendars", new { name = "Never open", timeZone = "UTC", hours = Array.Empty<object>() });
        var now = DateTimeOffset.UtcNow;
        var png = Convert.ToBase64String(Convert.FromHexString("89504E470D0A1A0A0000000D4948445200000001000000010806000000"));
        await flows.PublishAsync(new
        {
            name = "Intake",
            trigger = new { type = "keyword", keywords = new[] { "start" } },
            nodes = new object[]
            {
                new { id = "children", type = "ask", text = "How many children?", validation = "number", attribute = "children", error = "A number, please.", next = "date" },
                new { id = "date", type = "ask", text = "From when?", validation = "date", attribute = "start_date", next = "code" },
                new { id = "code", type = "ask", text = "Your reference?", validation = "regex", pattern = "^[A-Z]{3}-[0-9]{3}$", error = "Like ABC-123.", next = "stage" },
                new { id = "stage", type = "set_attribute", attribute = "stage", value = "intake", next = "label" },
                new { id = "label", type = "add_label", label = "admissions", next = "has-label" },
                new { id = "has-label", type = "condition", condition = new { kind = "label", label = "admissions" }, then = "has-stage", @else = "wrong" },
                new { id = "has-stage", type = "condition", condition = new { kind = "attribute", attribute = "stage", value = "intake" }, then = "on-number", @else = "wrong" },
                new { id = "on-number", type = "condition", condition = new { kind = "channel", channelId = flows.ChannelId }, then = "now", @else = "wrong" },
                new { id = "now", type = "condition", condition = new { kind = "time_of_day", from = now.AddHours(-2).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), to = now.AddHours(2).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) }, then = "hours", @else = "wrong" },
                new { id = "hours", type = "condition", condition = new { kind = "business_hours", calendarId = closed }, then = "wrong", @else = "brochure" },
                new { id = "brochure", type = "media", mediaType = "image", media = new { data = png, mimeType = "image/png", fileName = "brochure.png" }, text = "Our brochure", next = "person" },
                new { id = "person", type = "handoff", text = "A person will take it from here." },
                new { id = "wrong", type = "text", text = "Wrong branch." },
            },
        });
        var customer = FlowScenario.NewCustomer();

        await flows.WritesAsync(customer, "start");
        await flows.WaitForSendsAsync(customer, 1);
        foreach (var (answer, sends) in new[] { ("two", 3), ("2", 4), ("1 September 2027", 6), ("2027-09-01", 7), ("abc", 9), ("ABC-123", 11) })
        {
            await flows.WritesAsync(customer, answer);
            try
            {
                await flows.WaitForSendsAsync(customer, sends);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException($"After \"{answer}\" the bot sent: " + string.Join(" | ", flows.SentTo(customer).Select(b => b.ToJsonString())) + " session " + System.Text.Json.JsonSerializer.Serialize(await flows.SessionAsync(customer)));
            }
        }

        var sent = flows.SentTo(customer);
        sent.Select(b => b["type"]!.GetValue<string>() == "image" ? "image: " + b["image"]!["caption"]!.GetValue<string>() : b["text"]!["body"]!.GetValue<string>()).Should().Equal(
            "How many children?", "A number, please.", "How many children?", "From when?", "Sorry, that answer does not fit. Please try again.", "From when?",
            "Your reference?", "Like ABC-123.", "Your reference?", "image: Our brochure", "A person will take it from here.");
        sent[9]["image"]!["id"].Should().NotBeNull("the image was uploaded to Meta and sent by its media id");
        var session = await flows.WaitForSessionAsync(customer, s => s.State == FlowSessionState.Ended);
        session.EndReason.Should().Be("handoff");
        session.InvalidAnswers.Should().Be(0, "a fitting answer clears the count of answers that did not fit");

        var conversation = await flows.ConversationAsync(customer);
        conversation["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Should().Equal("admissions");
        var profile = await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/tenants/{flows.Tenant.Id}/contacts/{conversation["contact"]!["id"]!.GetValue<Guid>()}");
        profile!["attributes"]!["children"]!.ToString().Should().Be("2");
        profile["attributes"]!["start_date"]!.GetValue<string>().Should().Be("2027-09-01");
        profile["attributes"]!["stage"]!.GetValue<string>().Should().Be("intake");
        (await flows.MessagesAsync(customer)).Where(m => m["direction"]!.GetValue<string>() == "outbound").Should().OnlyContain(m => m["author"]!.GetValue<string>() == "bot");
    }

    [Fact]
    public async Task A_customer_who_restricted_processing_gets_no_bot_until_they_lift_it()
    {
        var flows = await FlowScenario.StartAsync(App, fixture.Graph);
        using var admin = App.ClientWithKey(flows.Tenant.ApiKey);
        await flows.PublishAsync(new { name = "Hours", trigger = new { type = "keyword", keywords = new[] { "hours" } }, nodes = new object[] { new { id = "say", type = "text", text = "We open at 8." } } });
        var customer = FlowScenario.NewCustomer();
        await flows.WritesAsync(customer, "Hello");
        var contact = (await flows.ConversationAsync(customer))["contact"]!["id"]!.GetValue<Guid>();
        (await admin.PutAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/contacts/{contact}/privacy", new { restricted = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        await flows.WritesAsync(customer, "hours");
        await Task.Delay(TimeSpan.FromSeconds(1));
        flows.SentTo(customer).Should().BeEmpty("no bot answers a customer who restricted processing");

        (await admin.PutAsJsonAsync($"/api/v1/tenants/{flows.Tenant.Id}/contacts/{contact}/privacy", new { restricted = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        await flows.WritesAsync(customer, "hours");
        (await flows.WaitForSendsAsync(customer, 1)).Single()["text"]!["body"]!.GetValue<string>().Should().Be("We open at 8.");
    }

    [Fact]
    public async Task Two_apps_on_one_database_end_each_wait_once()
    {
        await using var database = TestDatabase.For(fixture.Database.Provider);
        await database.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:WhatsApp:GraphApiBaseUrl"] = fixture.Graph.GraphApiBaseUrl,
            ["Switchboard:Outbound:RetryBaseDelay"] = "00:00:00.050",
        };
        await using var a = new SwitchboardApp(database, settings);
        _ = a.Server;
        await using var b = new SwitchboardApp(database, new Dictionary<string, string?>(settings) { ["Switchboard:MasterKey"] = a.MasterKey, ["Switchboard:OperatorApiKey"] = a.OperatorKey });
        _ = b.Server;
        var flows = await FlowScenario.StartAsync(a, fixture.Graph);
        await flows.PublishAsync(new
        {
            name = "Opening hours",
            trigger = new { type = "keyword", keywords = new[] { "hours" } },
            nodes = new object[]
            {
                new { id = "hold", type = "text", text = "Let me look that up.", next = "pause" },
                new { id = "pause", type = "wait", seconds = 2, next = "answer" },
                new { id = "answer", type = "text", text = "We open at 8 and close at 18." },
            },
        });

        // Customers write to either node; both nodes run the flows' timers.
        var customers = Enumerable.Range(0, 4).Select(_ => FlowScenario.NewCustomer()).ToList();
        for (var i = 0; i < customers.Count; i++)
        {
            flows.App = i % 2 == 0 ? a : b;
            await flows.WritesAsync(customers[i], "Hours?");
        }

        foreach (var customer in customers)
        {
            (await flows.WaitForSendsAsync(customer, 2))[1]["text"]!["body"]!.GetValue<string>().Should().Be("We open at 8 and close at 18.");
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        foreach (var customer in customers)
        {
            flows.SentTo(customer).Should().HaveCount(2, "each wait ended on one node only");
        }
    }

    [Fact]
    public async Task A_flow_survives_a_restart_mid_way_and_its_wait_ends_on_the_new_instance()
    {
        await using var database = TestDatabase.For(fixture.Database.Provider);
        await database.CreateAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:WhatsApp:GraphApiBaseUrl"] = fixture.Graph.GraphApiBaseUrl,
            ["Switchboard:Outbound:RetryBaseDelay"] = "00:00:00.050",
        };
        var first = new SwitchboardApp(database, settings);
        _ = first.Server;
        var flows = await FlowScenario.StartAsync(first, fixture.Graph);
        await flows.PublishAsync(flows.MenuFlow());
        await flows.PublishAsync(new
        {
            name = "Opening hours",
            trigger = new { type = "keyword", keywords = new[] { "hours" } },
            nodes = new object[]
            {
                new { id = "hold", type = "text", text = "Let me look that up.", next = "pause" },
                new { id = "pause", type = "wait", seconds = 15, next = "answer" },
                new { id = "answer", type = "text", text = "We open at 8 and close at 18." },
            },
        });
        var answers = FlowScenario.NewCustomer();
        var waits = FlowScenario.NewCustomer();
        await flows.WritesAsync(answers, "hi");
        await flows.WritesAsync(waits, "Hours?");
        await flows.WaitForSendsAsync(answers, 1);
        (await flows.WaitForSendsAsync(waits, 1)).Single()["text"]!["body"]!.GetValue<string>().Should().Be("Let me look that up.");
        var restartSettings = new Dictionary<string, string?>(settings) { ["Switchboard:MasterKey"] = first.MasterKey, ["Switchboard:OperatorApiKey"] = first.OperatorKey };
        await first.DisposeAsync();
        flows.SentTo(waits).Should().HaveCount(1, "the wait had not ended when the first instance stopped");

        await using var second = new SwitchboardApp(database, restartSettings);
        _ = second.Server;
        flows.App = second;
        await flows.ChoosesAsync(answers, "sales", "Sales");

        (await flows.WaitForSendsAsync(answers, 2))[1]["text"]!["body"]!.GetValue<string>().Should().Be("Connecting you to Sales.");
        (await flows.ConversationAsync(answers))["teamId"]!.GetValue<Guid>().Should().Be(flows.Sales);
        (await flows.WaitForSendsAsync(waits, 2))[1]["text"]!["body"]!.GetValue<string>().Should().Be("We open at 8 and close at 18.");
        (await flows.WaitForSessionAsync(waits, s => s.State == FlowSessionState.Ended)).EndReason.Should().Be("completed");
        await Task.Delay(500);
        flows.SentTo(answers).Should().HaveCount(2, "nothing was sent twice across the restart");
        flows.SentTo(waits).Should().HaveCount(2);
    }
}

public sealed class FlowRuntimeTests_Sqlite(SqliteOutboundFixture fixture) : FlowRuntimeTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class FlowRuntimeTests_Postgres(PostgresOutboundFixture fixture) : FlowRuntimeTests(fixture), IClassFixture<PostgresOutboundFixture>;
