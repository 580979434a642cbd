using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Features.Routing;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Automation;

/// <summary>Automation rules through signed webhooks and the API: each event, condition and action, order, loops, validation, isolation (ADR 0028).</summary>
public abstract class AutomationRulesTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private static async Task<List<string>> LabelsAsync(AutomationScenario s, Guid conversation) =>
        [.. (await s.ConversationAsync(conversation))["labels"]!.AsArray().Select(l => l!.GetValue<string>()).Order()];

    [Fact]
    public async Task A_received_message_containing_a_word_gets_a_label_a_priority_a_note_and_a_canned_reply_in_rule_order()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var billing = await s.CreateAsync("labels", new { name = "billing", color = "#1f883d" });
        var canned = await s.CreateAsync("canned-responses", new { shortcut = "refund", text = "Refunds take 5 days." });
        var second = await s.RuleAsync("Reply", "message_received", [new { type = "send_canned_response", cannedResponseId = canned }], [new { type = "text_contains", value = "refund" }], position: 2);
        var first = await s.RuleAsync(
            "Billing",
            "message_received",
            [new { type = "add_label", labelId = billing }, new { type = "set_priority", priority = "high" }, new { type = "add_note", text = "Refund request" }],
            [new { type = "text_contains", value = "REFUND" }],
            position: 1);

        var asking = await s.WriteAsync(AutomationScenario.NewCustomer(), "I want a refund please");
        (await LabelsAsync(s, asking)).Should().Equal("billing");
        (await s.ConversationAsync(asking))["priority"]!.GetValue<string>().Should().Be("high");
        (await s.SentAsync(asking, "note")).Should().Equal("Refund request");
        (await s.SentAsync(asking)).Should().Equal("Refunds take 5 days.");
        var runs = (await s.RunsAsync(first)).Concat(await s.RunsAsync(second)).OrderBy(r => r.Id).ToList();
        runs.Select(r => r.RuleId).Should().Equal(first, second);
        runs[0].Actions.Should().Be("add_label,set_priority,add_note");

        var other = await s.WriteAsync(AutomationScenario.NewCustomer(), "Hello");
        (await LabelsAsync(s, other)).Should().BeEmpty();
        (await s.ConversationAsync(other))["priority"]!.GetValue<string>().Should().Be("normal");
        (await s.SentAsync(other)).Should().BeEmpty();

        var detail = await s.Admin.GetJsonAsync(s.Url($"automation/rules/{first}"));
        detail["runs"]!.AsArray().Should().ContainSingle().Which!["actions"]!.AsArray().Select(a => a!.GetValue<string>()).Should().Equal("add_label", "set_priority", "add_note");
    }

    [Fact]
    public async Task Rules_enabled_later_act_from_the_next_message_and_a_rule_for_another_event_does_not_act_on_messages()
    {
        // A message queues automation only where the tenant has automatic replies or an enabled rule for its event (ADR 0069).
        using var s = await AutomationScenario.StartAsync(App);
        var quiet = await s.WriteAsync(AutomationScenario.NewCustomer(), "Hello");
        var onResolve = await s.RuleAsync("On resolve", "conversation_resolved", [new { type = "add_note", text = "Resolved" }]);
        var stillQuiet = await s.WriteAsync(AutomationScenario.NewCustomer(), "Still nobody listening");
        var onMessage = await s.RuleAsync("Tag", "message_received", [new { type = "add_note", text = "Seen" }]);
        var heard = await s.WriteAsync(AutomationScenario.NewCustomer(), "Hello again");

        (await s.SentAsync(heard, "note")).Should().Equal("Seen");
        await s.IdleAsync();
        (await s.SentAsync(quiet, "note")).Should().BeEmpty("the message came before any rule");
        (await s.SentAsync(stillQuiet, "note")).Should().BeEmpty("a rule on resolving does not act on messages");
        (await s.RunsAsync(onResolve)).Should().BeEmpty();
        (await s.RunsAsync(onMessage)).Should().ContainSingle().Which.ConversationId.Should().Be(heard);
    }

    [Fact]
    public async Task A_new_conversation_on_a_number_goes_to_a_team_and_attribute_team_and_hours_conditions_choose_rules()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var team = await s.CreateAsync("teams", new { name = "Admissions", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 5 });
        var closed = await s.CalendarAsync(open: false);
        var gold = await s.CreateAsync("labels", new { name = "gold", color = "#1f883d" });
        var night = await s.CreateAsync("labels", new { name = "night", color = "#1f883d" });
        (await s.Admin.PostAsJsonAsync(s.Url("contact-attributes"), new { key = "plan", label = "Plan", type = "text" })).EnsureSuccessStatusCode();
        await s.RuleAsync("Route", "conversation_created", [new { type = "assign_team", teamId = team }], [new { type = "channel", channelId = s.ChannelId }]);
        await s.RuleAsync("Team note", "message_received", [new { type = "add_note", text = "For admissions" }], [new { type = "team", teamId = team }]);
        await s.RuleAsync("Gold", "message_received", [new { type = "add_label", labelId = gold }], [new { type = "attribute", key = "plan", value = "Gold" }]);
        await s.RuleAsync("Night", "conversation_created", [new { type = "add_label", labelId = night }], [new { type = "business_hours", calendarId = closed, open = false }]);

        var customer = AutomationScenario.NewCustomer();
        var conversation = await s.WriteAsync(customer, "Hello");
        (await s.ConversationAsync(conversation))["teamId"]!.GetValue<Guid>().Should().Be(team);
        (await s.SentAsync(conversation, "note")).Should().Equal(["For admissions"], "a later rule sees what an earlier one did");
        (await LabelsAsync(s, conversation)).Should().Equal("night");

        var contact = (await s.ConversationAsync(conversation))["contact"]!["id"]!.GetValue<Guid>();
        (await s.Admin.PatchAsJsonAsync(s.Url($"contacts/{contact}"), new { attributes = new Dictionary<string, object> { ["plan"] = "gold" } })).EnsureSuccessStatusCode();
        await s.WriteAsync(customer, "Me again");
        (await s.SentAsync(conversation, "note")).Should().Equal("For admissions", "For admissions");
        (await LabelsAsync(s, conversation)).Should().Equal("gold", "night");
    }

    [Fact]
    public async Task A_label_added_by_hand_triggers_rules_but_labels_and_resolves_made_by_rules_trigger_none()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var vip = await s.CreateAsync("labels", new { name = "vip", color = "#1f883d" });
        var escalated = await s.CreateAsync("labels", new { name = "escalated", color = "#cf222e" });
        var escalate = await s.RuleAsync("Escalate VIPs", "label_added", [new { type = "add_label", labelId = escalated }, new { type = "set_priority", priority = "urgent" }], [new { type = "label", labelId = vip }]);
        var back = await s.RuleAsync("Would loop", "label_added", [new { type = "add_label", labelId = vip }, new { type = "add_note", text = "looped" }], [new { type = "label", labelId = escalated }]);
        var bye = await s.RuleAsync("Bye", "message_received", [new { type = "resolve" }], [new { type = "text_contains", value = "bye" }]);
        var closing = await s.RuleAsync("After resolve", "conversation_resolved", [new { type = "add_note", text = "Resolved" }]);

        var conversation = await s.WriteAsync(AutomationScenario.NewCustomer(), "Hi");
        (await s.Admin.PutAsJsonAsync(s.Url($"conversations/{conversation}/labels"), new { labels = new[] { "vip" } })).StatusCode.Should().Be(HttpStatusCode.OK);
        await s.IdleAsync();
        (await LabelsAsync(s, conversation)).Should().Equal("escalated", "vip");
        (await s.ConversationAsync(conversation))["priority"]!.GetValue<string>().Should().Be("urgent");
        (await s.RunsAsync(escalate)).Should().ContainSingle();
        (await s.RunsAsync(back)).Should().BeEmpty("the label a rule added triggers no rule");

        await s.WriteAsync((await s.ConversationAsync(conversation))["contact"]!["waId"]!.GetValue<string>(), "ok bye");
        (await s.ConversationAsync(conversation))["status"]!.GetValue<string>().Should().Be("resolved");
        (await s.RunsAsync(bye)).Should().ContainSingle();
        (await s.RunsAsync(closing)).Should().BeEmpty("a resolve made by a rule triggers no rule");
        (await s.SentAsync(conversation, "note")).Should().BeEmpty();

        (await s.Admin.PostAsync(s.Url($"conversations/{conversation}/reopen"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await s.Admin.PostAsync(s.Url($"conversations/{conversation}/resolve"), null)).StatusCode.Should().Be(HttpStatusCode.OK);
        await s.IdleAsync();
        (await s.RunsAsync(closing)).Should().ContainSingle("an agent's resolve does");
        (await s.SentAsync(conversation, "note")).Should().Equal("Resolved");
    }

    [Fact]
    public async Task An_sla_warning_runs_its_rules()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var late = await s.CreateAsync("labels", new { name = "late", color = "#cf222e" });
        (await s.Admin.PostAsJsonAsync(s.Url("sla-policies"), new { name = "Standard", firstResponseMinutes = 30, warnBeforeMinutes = 10 })).StatusCode.Should().Be(HttpStatusCode.Created);
        var rule = await s.RuleAsync("Late", "sla_warning", [new { type = "add_label", labelId = late }, new { type = "set_priority", priority = "urgent" }]);
        var at = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var conversation = await s.WriteAsync(AutomationScenario.NewCustomer(), "Where is my order?", at);

        var clock = new FakeTimeProvider(at.AddMinutes(21));
        using var timers = new JobRunner<SlaJob>(
            new SlaTimerSource(App.Services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>(), App.Services.GetRequiredService<SqliteWriteGate>(), clock),
            new WorkSignal(), App.Services.GetRequiredService<MigrationState>(), clock, NullLogger.Instance);
        while (await timers.RunOnceAsync(Guid.NewGuid(), default) > 0)
        {
        }

        await s.IdleAsync();
        (await LabelsAsync(s, conversation)).Should().Equal("late");
        (await s.ConversationAsync(conversation))["priority"]!.GetValue<string>().Should().Be("urgent");
        (await s.RunsAsync(rule)).Should().ContainSingle().Which.Event.Should().Be("sla_warning");
    }

    [Fact]
    public async Task A_negative_message_or_a_falling_trend_escalates_to_a_team_with_a_label_and_urgent_priority()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var team = await s.CreateAsync("teams", new { name = "Escalations", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 5 });
        var unhappy = await s.CreateAsync("labels", new { name = "unhappy", color = "#b42318" });
        var falling = await s.CreateAsync("labels", new { name = "falling", color = "#b54708" });
        var escalate = await s.RuleAsync(
            "Escalate negative",
            "message_received",
            [new { type = "assign_team", teamId = team }, new { type = "add_label", labelId = unhappy }, new { type = "set_priority", priority = "urgent" }],
            [new { type = "sentiment", value = "negative" }]);
        var trend = await s.RuleAsync("Trend below", "message_received", [new { type = "add_label", labelId = falling }], [new { type = "sentiment_trend", below = -0.3 }]);
        (await s.Admin.GetJsonAsync(s.Url($"automation/rules/{trend}")))["conditions"]!.AsArray().Single()!["below"]!.GetValue<double>().Should().Be(-0.3);

        // While the assistant is off nothing is scored, so no sentiment condition holds.
        var before = await s.WriteAsync(AutomationScenario.NewCustomer(), "This is the worst service ever, I am really angry 😡");
        (await LabelsAsync(s, before)).Should().BeEmpty();

        (await s.Admin.PutAsJsonAsync(s.Url("ai"), new { enabled = true })).StatusCode.Should().Be(HttpStatusCode.OK);
        var angry = await s.WriteAsync(AutomationScenario.NewCustomer(), "This is the worst service ever, I am really angry 😡");
        (await LabelsAsync(s, angry)).Should().Equal("falling", "unhappy");
        var conversation = await s.ConversationAsync(angry);
        conversation["priority"]!.GetValue<string>().Should().Be("urgent");
        conversation["teamId"]!.GetValue<Guid>().Should().Be(team);

        var calm = AutomationScenario.NewCustomer();
        var pleased = await s.WriteAsync(calm, "Thank you so much, great service!");
        (await LabelsAsync(s, pleased)).Should().BeEmpty();
        (await s.ConversationAsync(pleased))["priority"]!.GetValue<string>().Should().Be("normal");

        // A neutral message after a very negative one: the message is not negative, the trend still is.
        var sliding = AutomationScenario.NewCustomer();
        await s.WriteAsync(sliding, "Terrible, awful, the worst 😡😡");
        var again = await s.WriteAsync(sliding, "Where is my order?");
        (await s.RunsAsync(escalate)).Where(r => r.ConversationId == again).Should().ContainSingle("only the first, negative message escalated");
        (await s.RunsAsync(trend)).Where(r => r.ConversationId == again).Should().HaveCount(2, "the trend stayed below -0.3");
    }

    [Fact]
    public async Task Rules_are_validated_with_field_errors_audited_and_kept_to_their_tenant()
    {
        using var s = await AutomationScenario.StartAsync(App);
        var other = await App.CreateTenantAsync();
        using var intruder = App.ClientWithKey(other.ApiKey);
        var foreignTeam = (await (await intruder.PostAsJsonAsync($"/api/v1/tenants/{other.Id}/teams", new { name = "Theirs", memberIds = Array.Empty<Guid>(), assignment = "manual", capacity = 1 })).ReadJsonAsync())["id"]!.GetValue<Guid>();
        var manager = await App.CreateUserAsync(s.Tenant, "manager");
        using var asManager = App.ClientWithKey(await App.PersonalTokenAsync(s.Tenant.Id, manager, [Permissions.ConversationsRead, Permissions.ConversationsWrite]));
        var mine = await asManager.PostAsJsonAsync(s.Url("canned-responses"), new { shortcut = "mine", text = "x", personal = true });
        mine.StatusCode.Should().Be(HttpStatusCode.Created, await mine.Content.ReadAsStringAsync());
        var personal = (await mine.ReadJsonAsync())["id"]!.GetValue<Guid>();

        var bad = await s.Admin.PostAsJsonAsync(s.Url("automation/rules"), new
        {
            name = "",
            @event = "message_deleted",
            conditions = new object[] { new { type = "weather" }, new { type = "team", teamId = foreignTeam }, new { type = "attribute", key = "nope", value = "x" } },
            actions = new object[] { new { type = "explode" }, new { type = "assign_team", teamId = foreignTeam }, new { type = "add_label", labelId = Guid.NewGuid() }, new { type = "set_priority", priority = "asap" }, new { type = "send_canned_response", cannedResponseId = Guid.NewGuid() }, new { type = "add_note" } },
        });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo([
            "name", "event", "conditions[0].type", "conditions[1].teamId", "conditions[2].key", "actions[0].type", "actions[1].teamId", "actions[2].labelId",
            "actions[3].priority", "actions[4].cannedResponseId", "actions[5].text"]);
        (await s.Admin.PostAsJsonAsync(s.Url("automation/rules"), new { name = "No actions", @event = "label_added", actions = Array.Empty<object>() })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var textOnResolve = await s.Admin.PostAsJsonAsync(s.Url("automation/rules"), new { name = "Text", @event = "conversation_resolved", conditions = new[] { new { type = "text_contains", value = "x" } }, actions = new[] { new { type = "resolve" } } });
        (await textOnResolve.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Equal("conditions[0].type");
        var badSentiment = await s.Admin.PostAsJsonAsync(s.Url("automation/rules"), new
        {
            name = "Sentiment",
            @event = "conversation_resolved",
            conditions = new object[] { new { type = "sentiment", value = "angry" }, new { type = "sentiment_trend" }, new { type = "sentiment_trend", below = 1.5 }, new { type = "sentiment_trend", below = -0.5 } },
            actions = new[] { new { type = "resolve" } },
        });
        badSentiment.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badSentiment.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["conditions[0].value", "conditions[0].type", "conditions[1].below", "conditions[2].below"]);
        (await s.Admin.GetJsonAsync(s.Url("automation/rules")))["items"]!.AsArray().Should().BeEmpty("nothing invalid was stored");

        var id = await s.RuleAsync("Close", "message_received", [new { type = "resolve" }]);
        var changed = await s.Admin.PutAsJsonAsync(s.Url($"automation/rules/{id}"), new { name = "Close later", @event = "label_added", enabled = false, actions = new[] { new { type = "resolve" } } });
        changed.StatusCode.Should().Be(HttpStatusCode.OK);
        var read = await s.Admin.GetJsonAsync(s.Url($"automation/rules/{id}"));
        read["name"]!.GetValue<string>().Should().Be("Close later");
        read["enabled"]!.GetValue<bool>().Should().BeFalse();
        (await s.Admin.PutAsJsonAsync(s.Url($"automation/rules/{id}"), new { name = "Bad", @event = "label_added", actions = new[] { new { type = "send_canned_response", cannedResponseId = personal } } }))
            .StatusCode.Should().Be(HttpStatusCode.BadRequest, "a personal canned response is not the tenant's to send");

        (await intruder.GetAsync($"/api/v1/tenants/{other.Id}/automation/rules/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.PutAsJsonAsync($"/api/v1/tenants/{other.Id}/automation/rules/{id}", new { name = "Mine", @event = "label_added", actions = new[] { new { type = "resolve" } } })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.DeleteAsync($"/api/v1/tenants/{other.Id}/automation/rules/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await intruder.GetAsync(s.Url($"automation/rules/{id}"))).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var agent = await App.CreateUserAsync(s.Tenant);
        using var asAgent = App.ClientWithKey(await App.PersonalTokenAsync(s.Tenant.Id, agent, Permissions.Of(TenantRole.Agent)));
        (await asAgent.GetAsync(s.Url("automation/rules"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await s.Admin.DeleteAsync(s.Url($"automation/rules/{id}"))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await s.Admin.GetAsync(s.Url($"automation/rules/{id}"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var actions = (await s.Admin.GetJsonAsync(s.Url("audit")))["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        actions.Should().Contain(["automation_rule.created", "automation_rule.updated", "automation_rule.deleted"]);
    }
}

public sealed class AutomationRulesTests_Sqlite(SqliteAppFixture fixture) : AutomationRulesTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AutomationRulesTests_Postgres(PostgresAppFixture fixture) : AutomationRulesTests(fixture), IClassFixture<PostgresAppFixture>;
