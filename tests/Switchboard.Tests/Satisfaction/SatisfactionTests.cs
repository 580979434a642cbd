using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Audit;
using Switchboard.Features.Outbound;
using Switchboard.Features.Satisfaction;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Satisfaction;

/// <summary>CSAT surveys on resolve (once, inside the window), answers matched and kept resolved, the report with suppression, and managers' reviews (ADR 0031).</summary>
public abstract class SatisfactionTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Resolving_inside_the_window_sends_one_survey_whose_answer_is_recorded_without_reopening()
    {
        var s = await SatisfactionScenario.CreateAsync(App);
        var conversation = await s.CustomerWritesAsync("16505550301", "my parcel is late");

        await s.ResolveAsync(conversation);
        var survey = await s.WaitUntilSentAsync(conversation);
        (await s.SurveyMessagesAsync(conversation)).Should().Be(1);
        await using (var db = App.NewDbContext())
        {
            var outbox = await db.OutboxItems.CountAsync(o => o.TenantId == s.Tenant.Id && o.MessageId == survey.MessageId);
            outbox.Should().Be(1, "the survey goes out through the outbox like any reply");
        }

        // A reply id naming another survey, or a score out of range, changes nothing.
        await s.AnswerAsync("16505550301", SatisfactionStep.ReplyId(Guid.CreateVersion7(), 2));
        await s.AnswerAsync("16505550301", $"csat:{survey.Id:N}:9");
        (await s.SurveyAsync(conversation))["status"]!.GetValue<string>().Should().Be("sent");

        await s.AnswerAsync("16505550301", SatisfactionStep.ReplyId(survey.Id, 4));
        var answered = await s.SurveyAsync(conversation);
        answered["status"]!.GetValue<string>().Should().Be("answered");
        answered["score"]!.GetValue<int>().Should().Be(4);
        answered["answeredAt"].Should().NotBeNull();
        (await s.StatusOfAsync(conversation)).Should().Be("resolved", "a survey answer does not hand the conversation back to the agents");

        // A later answer does not overwrite the first one.
        await s.AnswerAsync("16505550301", SatisfactionStep.ReplyId(survey.Id, 1));
        (await s.SurveyAsync(conversation))["score"]!.GetValue<int>().Should().Be(4);

        // Reopened by a real message and resolved again: still one survey.
        await s.CustomerWritesAsync("16505550301", "one more thing");
        (await s.StatusOfAsync(conversation)).Should().Be("open");
        await s.ResolveAsync(conversation);
        await using (var db = App.NewDbContext())
        {
            (await db.CsatSurveys.CountAsync(x => x.TenantId == s.Tenant.Id && x.ConversationId == conversation)).Should().Be(1);
        }

        (await s.SurveyMessagesAsync(conversation)).Should().Be(1, "a conversation is surveyed once");
    }

    [Fact]
    public async Task Buttons_carry_three_scores_and_a_button_answer_is_recorded()
    {
        var s = await SatisfactionScenario.CreateAsync(App, "buttons");
        var conversation = await s.CustomerWritesAsync("16505550302", "hello");
        await s.ResolveAsync(conversation);
        var survey = await s.WaitUntilSentAsync(conversation);

        await s.AnswerAsync("16505550302", SatisfactionStep.ReplyId(survey.Id, 5), kind: "button_reply");

        (await s.SurveyAsync(conversation))["score"]!.GetValue<int>().Should().Be(5);
        (await s.StatusOfAsync(conversation)).Should().Be("resolved");
    }

    [Fact]
    public async Task Resolving_outside_the_window_or_with_surveys_off_plans_no_survey()
    {
        var s = await SatisfactionScenario.CreateAsync(App);
        var late = await s.CustomerWritesAsync("16505550303", "written yesterday", secondsAgo: 25 * 3600);
        await s.ResolveAsync(late);

        (await s.SurveyAsync(late))["status"]!.GetValue<string>().Should().Be("none", "the 24-hour window had closed: Switchboard never initiates");

        (await s.Client.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/satisfaction", new { enabled = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        var off = await s.CustomerWritesAsync("16505550304", "hi");
        await s.ResolveAsync(off);
        (await s.SurveyAsync(off))["status"]!.GetValue<string>().Should().Be("none");
        (await s.SurveyMessagesAsync(late) + await s.SurveyMessagesAsync(off)).Should().Be(0);
    }

    [Fact]
    public async Task Bad_settings_are_refused_with_field_errors_and_change_nothing()
    {
        var s = await SatisfactionScenario.CreateAsync(App);
        var response = await s.Client.PutAsJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/satisfaction", new { enabled = false, question = " ", format = "stars" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo(["question", "format"]);
        var settings = (await s.Client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{s.Tenant.Id}/satisfaction"))!;
        settings["enabled"]!.GetValue<bool>().Should().BeTrue();
        settings["question"]!.GetValue<string>().Should().Be("How did we do?");
        settings["format"]!.GetValue<string>().Should().Be("list");
    }

    [Fact]
    public async Task The_report_averages_and_distributes_answers_and_suppresses_groups_under_five()
    {
        var s = await SatisfactionScenario.CreateAsync(App);
        var t = s.Tenant.Id;
        (await s.Client.PostAsJsonAsync($"/api/v1/tenants/{t}/labels", new { name = "vip", color = "#1f883d" })).EnsureSuccessStatusCode();
        (await s.Client.PostAsJsonAsync($"/api/v1/tenants/{t}/labels", new { name = "billing", color = "#0969da" })).EnsureSuccessStatusCode();

        int[] scores = [5, 4, 4, 3, 1, 2];
        for (var i = 0; i < scores.Length; i++)
        {
            var waId = $"1650555040{i}";
            var conversation = await s.CustomerWritesAsync(waId, $"question {i}");
            var label = i < 5 ? "vip" : "billing";
            (await s.Client.PutAsJsonAsync($"/api/v1/tenants/{t}/conversations/{conversation}/labels", new { labels = new[] { label } })).EnsureSuccessStatusCode();
            await s.ResolveAsync(conversation);
            var survey = await s.WaitUntilSentAsync(conversation);
            await s.AnswerAsync(waId, SatisfactionStep.ReplyId(survey.Id, scores[i]));
        }

        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"));
        var to = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        var report = (await s.Client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{t}/reports/csat?from={from}&to={to}"))!;

        report["count"]!.GetValue<int>().Should().Be(6);
        report["average"]!.GetValue<double>().Should().Be(Math.Round(scores.Average(), 2));
        var distribution = report["distribution"]!.AsObject();
        distribution.ToDictionary(d => d.Key, d => d.Value!.GetValue<int>()).Should().Equal(new Dictionary<string, int> { ["1"] = 1, ["2"] = 1, ["3"] = 1, ["4"] = 2, ["5"] = 1 });
        var byLabel = report["byLabel"]!;
        byLabel["items"]!.AsArray().Select(g => g!["key"]!.GetValue<string>()).Should().Equal("vip");
        byLabel["items"]![0]!["count"]!.GetValue<int>().Should().Be(5);
        byLabel["items"]![0]!["average"]!.GetValue<double>().Should().Be(3.4);
        byLabel["suppressed"]!.GetValue<int>().Should().Be(1, "billing has one answer: too few to show");
        report.ToJsonString().Should().NotContain("1650555040", "the report carries no customer identity");

        var bad = await s.Client.GetAsync($"/api/v1/tenants/{t}/reports/csat?from=yesterday&to={from}");
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.ReadJsonAsync())["errors"]!["from"].Should().NotBeNull();

        var empty = (await s.Client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{t}/reports/csat?from=2020-01-01&to=2020-02-01"))!;
        empty["count"]!.GetValue<int>().Should().Be(0);
        empty["average"].Should().BeNull();
    }

    [Fact]
    public async Task The_conversation_view_shows_the_score_and_a_transcript_link_for_managers_only()
    {
        var s = await SatisfactionScenario.CreateAsync(App);
        var conversation = await s.CustomerWritesAsync("16505550321", "thanks for the help");
        await s.ResolveAsync(conversation);
        var survey = await s.WaitUntilSentAsync(conversation);
        await s.AnswerAsync("16505550321", SatisfactionStep.ReplyId(survey.Id, 4));
        var manager = await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "manager");
        var agent = await IdentityTestHelpers.CreateUserAsync(App, s.Tenant, "agent");

        using (var browser = await App.SignInAsync(manager))
        {
            var html = await browser.Http.GetStringAsync($"/conversations/{conversation}");
            html.Should().Contain("data-testid=\"conversation-csat\"").And.Contain("CSAT 4/5").And.Contain("data-testid=\"transcript-link\"");
            var transcript = await browser.Http.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{conversation}/transcript?format=html");
            transcript.StatusCode.Should().Be(HttpStatusCode.OK, "the link works with the manager's session");
            (await transcript.Content.ReadAsStringAsync()).Should().Contain("thanks for the help");
        }

        using (var browser = await App.SignInAsync(agent))
        {
            var html = await browser.Http.GetStringAsync($"/conversations/{conversation}");
            html.Should().Contain("CSAT 4/5").And.NotContain("data-testid=\"transcript-link\"");
            (await browser.Http.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{conversation}/transcript")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task Reviews_seal_their_comments_are_for_reviewers_only_and_another_tenants_conversation_is_not_found()
    {
        var s = await SatisfactionScenario.CreateAsync(App);
        var t = s.Tenant.Id;
        var conversation = await s.CustomerWritesAsync("16505550311", "help please");
        const string comments = "Friendly, but missed the refund policy";

        var created = await s.Client.PostAsJsonAsync($"/api/v1/tenants/{t}/conversations/{conversation}/reviews", new { score = 3, comments });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var review = await created.ReadJsonAsync();
        review["score"]!.GetValue<int>().Should().Be(3);
        review["comments"]!.GetValue<string>().Should().Be(comments);

        var list = (await s.Client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{t}/conversations/{conversation}/reviews"))!["items"]!.AsArray();
        list.Should().ContainSingle();
        list[0]!["comments"]!.GetValue<string>().Should().Be(comments);

        await using (var db = App.NewDbContext())
        {
            var row = await db.ConversationReviews.SingleAsync(r => r.TenantId == t);
            Encoding.UTF8.GetString(row.Comments!).Should().NotContain("refund", "comments are sealed with the tenant key");
            var audit = await db.AuditEntries.SingleAsync(e => e.TenantId == t && e.Action == SatisfactionAudit.ConversationReviewed);
            audit.Detail.Should().NotContain("refund");
        }

        var invalid = await s.Client.PostAsJsonAsync($"/api/v1/tenants/{t}/conversations/{conversation}/reviews", new { score = 6, comments = new string('x', Reviews.MaxComments + 1) });
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["score", "comments"]);

        var (_, agentToken) = await App.CreateTokenAsync(s.Tenant, [Permissions.ConversationsRead, Permissions.ConversationsWrite]);
        using var agent = App.ClientWithKey(agentToken);
        (await agent.PostAsJsonAsync($"/api/v1/tenants/{t}/conversations/{conversation}/reviews", new { score = 5 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.GetAsync($"/api/v1/tenants/{t}/conversations/{conversation}/reviews")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var other = await App.CreateTenantAsync();
        using var otherClient = App.ClientWithKey(other.ApiKey);
        (await otherClient.PostAsJsonAsync($"/api/v1/tenants/{other.Id}/conversations/{conversation}/reviews", new { score = 1, comments = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await otherClient.GetAsync($"/api/v1/tenants/{other.Id}/conversations/{conversation}/reviews")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await otherClient.GetAsync($"/api/v1/tenants/{other.Id}/conversations/{conversation}/satisfaction")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using (var db = App.NewDbContext())
        {
            (await db.ConversationReviews.CountAsync(r => r.TenantId == t)).Should().Be(1, "refused requests stored nothing");
            (await db.ConversationReviews.CountAsync(r => r.TenantId == other.Id)).Should().Be(0);
        }
    }
}

public sealed class SatisfactionTests_Sqlite(SqliteAppFixture fixture) : SatisfactionTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SatisfactionTests_Postgres(PostgresAppFixture fixture) : SatisfactionTests(fixture), IClassFixture<PostgresAppFixture>;
