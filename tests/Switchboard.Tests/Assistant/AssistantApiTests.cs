using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Assistant;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Assistant;

/// <summary>The AI settings, suggested replies and summaries with the local provider, sentiment, tenant isolation (ADR 0035).</summary>
public abstract class AssistantApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Settings_start_off_refuse_bad_input_unchanged_seal_the_key_mask_it_and_audit_every_change()
    {
        var s = await AssistantScenario.CreateAsync(App);
        var initial = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/ai"))!;
        initial["enabled"]!.GetValue<bool>().Should().BeFalse();
        initial["provider"]!.GetValue<string>().Should().Be("local");

        var bad = await s.Client.PutAsJsonAsync($"{s.Base}/ai", new { enabled = true, provider = "skynet", baseUrl = "not a url", model = "m" });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await bad.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("provider", "baseUrl");
        var missing = await s.Client.PutAsJsonAsync($"{s.Base}/ai", new { enabled = true, provider = "openai" });
        (await missing.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("baseUrl", "model");
        (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/ai"))!["enabled"]!.GetValue<bool>().Should().BeFalse("refused input changed nothing");

        const string Key = "sk-test-0123456789abcdef7f3a";
        var saved = await s.PutSettingsAsync(new { enabled = true, provider = "openai", baseUrl = "https://llm.example.test/v1", model = "gpt-test", apiKey = Key });
        saved["apiKey"]!.GetValue<string>().Should().Be("••••7f3a");
        var read = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/ai"))!;
        read["apiKey"]!.GetValue<string>().Should().Be("••••7f3a");
        read["provider"]!.GetValue<string>().Should().Be("openai");
        read["baseUrl"]!.GetValue<string>().Should().Be("https://llm.example.test/v1");

        await using (var db = App.NewDbContext())
        {
            var row = await db.AssistantSettings.AsNoTracking().SingleAsync(r => r.TenantId == s.Tenant.Id);
            System.Text.Encoding.UTF8.GetString(row.ApiKey!).Should().NotContain(Key, "the key is sealed with the tenant key");
            var audit = await db.Set<AuditEntry>().AsNoTracking().Where(e => e.TenantId == s.Tenant.Id && e.Action == AssistantAudit.SettingsChanged).ToListAsync();
            audit.Should().ContainSingle("refused changes are not audited");
            audit[0].Detail.Should().NotContain(Key).And.Contain("keyChanged");
        }

        // Only the fields named change; an empty key removes it.
        var back = await s.PutSettingsAsync(new { provider = "local", apiKey = "" });
        back["apiKey"].Should().BeNull();
        back["enabled"]!.GetValue<bool>().Should().BeTrue();
        back["model"]!.GetValue<string>().Should().Be("gpt-test");
    }

    [Fact]
    public async Task While_off_suggestions_and_summaries_are_refused_with_409_and_no_sentiment_is_kept()
    {
        var s = await AssistantScenario.CreateAsync(App);
        var conversation = await s.CustomerWritesAsync("16505550401", "This is terrible, I want a refund");

        var suggest = await s.SuggestAsync(conversation);
        suggest.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await suggest.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>().Should().EndWith("/assistant-off");
        (await s.SummarizeAsync(conversation)).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var sentiment = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{conversation}/sentiment"))!;
        sentiment["messages"]!.GetValue<int>().Should().Be(0);
    }

    [Fact]
    public async Task The_local_provider_suggests_canned_responses_and_past_answers_summarizes_and_audits_by_hash_only()
    {
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true, provider = "local" });
        (await s.Client.PostAsJsonAsync($"{s.Base}/canned-responses", new { shortcut = "refund", text = "Hi {{contact.name}}, your refund is on its way and arrives in 5 working days." }))
            .IsSuccessStatusCode.Should().BeTrue();
        (await s.Client.PostAsJsonAsync($"{s.Base}/canned-responses", new { shortcut = "hours", text = "We are open from 9 to 18, Monday to Friday." }))
            .IsSuccessStatusCode.Should().BeTrue();

        // An earlier customer asked about a damaged parcel and got an answer.
        var earlier = await s.CustomerWritesAsync("16505550402", "My parcel arrived damaged, the box was crushed");
        await s.ReplyAsync(earlier, "Sorry about the damaged parcel! Send us a photo of the box and we ship a replacement today.");

        var conversation = await s.CustomerWritesAsync("16505550403", "Hello, the parcel came damaged and I would like my refund please", name: "Dana Whitfield");
        var response = await s.SuggestAsync(conversation);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        body["provider"]!.GetValue<string>().Should().Be("local");
        var items = body["items"]!.AsArray().Select(i => (Text: i!["text"]!.GetValue<string>(), Source: i["source"]!.GetValue<string>())).ToList();
        items.Should().HaveCountLessThanOrEqualTo(3);
        items.Should().Contain(("Hi Dana Whitfield, your refund is on its way and arrives in 5 working days.", "canned"));
        items.Should().Contain(i => i.Source == "past_answer" && i.Text.Contains("replacement today"));
        items.Should().NotContain(i => i.Text.Contains("open from 9"), "nothing in the opening hours answer matches");

        await s.ReplyAsync(conversation, "We are checking the refund for you now.");
        var summary = await s.SummarizeAsync(conversation);
        summary.StatusCode.Should().Be(HttpStatusCode.OK, await summary.Content.ReadAsStringAsync());
        var text = (await summary.Content.ReadFromJsonAsync<JsonObject>())!["text"]!.GetValue<string>();
        text.Should().Contain("Customer: Hello, the parcel came damaged and I would like my refund please");
        var latest = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{conversation}/summary"))!;
        latest["text"]!.GetValue<string>().Should().Be(text);
        latest["trigger"]!.GetValue<string>().Should().Be("requested");

        await using var db = App.NewDbContext();
        var stored = await db.ConversationSummaries.AsNoTracking().SingleAsync(x => x.TenantId == s.Tenant.Id && x.ConversationId == conversation);
        System.Text.Encoding.UTF8.GetString(stored.Text).Should().NotContain("parcel", "summaries are sealed with the tenant key");
        stored.Provider.Should().Be("local");
        var uses = await db.Set<AuditEntry>().AsNoTracking()
            .Where(e => e.TenantId == s.Tenant.Id && (e.Action == AssistantAudit.Suggested || e.Action == AssistantAudit.Summarized)).ToListAsync();
        uses.Should().HaveCount(2);
        foreach (var use in uses)
        {
            use.Detail.Should().Contain("\"provider\":\"local\"").And.Contain("promptSha256").And.Contain("answerSha256");
            use.Detail.Should().NotContain("parcel").And.NotContain("refund", "prompts and answers are audited by hash only");
        }
    }

    [Fact]
    public async Task Customer_messages_get_a_sentiment_and_the_conversation_a_trend()
    {
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true });
        var conversation = await s.CustomerWritesAsync("16505550404", "This is the worst service ever, I am really angry 😡");
        await s.CustomerWritesAsync("16505550404", "Still nothing. Terrible.");

        var sentiment = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{conversation}/sentiment"))!;
        sentiment["label"]!.GetValue<string>().Should().Be("negative");
        sentiment["score"]!.GetValue<double>().Should().BeLessThan(-0.2);
        sentiment["messages"]!.GetValue<int>().Should().Be(2);
        sentiment["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>()).Should().Equal("negative", "negative");

        var happy = await s.CustomerWritesAsync("16505550405", "Muito obrigada, adorei o atendimento!");
        (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{happy}/sentiment"))!["label"]!.GetValue<string>().Should().Be("positive");

        // What the inbox shows: the trend per conversation in the list, the label per customer message in the conversation.
        var dashboard = App.Services.GetRequiredService<AssistantDashboard>();
        (await dashboard.SentimentsAsync(s.Tenant.Id, [conversation, happy, Guid.NewGuid()], CancellationToken.None))
            .Should().BeEquivalentTo(new Dictionary<Guid, string> { [conversation] = "negative", [happy] = "positive" });
        var view = await dashboard.ViewAsync(s.Tenant.Id, conversation, CancellationToken.None);
        view.Sentiment.Should().Be("negative");
        await using var db = App.NewDbContext();
        var inbound = await db.Messages.Where(m => m.TenantId == s.Tenant.Id && m.ConversationId == conversation).Select(m => m.Id).ToListAsync();
        view.Messages.Should().HaveCount(2).And.OnlyContain(m => inbound.Contains(m.Key) && m.Value == "negative");
    }

    [Fact]
    public async Task A_customer_who_restricted_processing_gets_no_sentiment_until_they_lift_it()
    {
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true });
        var conversation = await s.CustomerWritesAsync("16505550407", "Terrible, I am really angry");
        var contact = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{conversation}"))!["contact"]!["id"]!.GetValue<Guid>();
        (await s.Client.PutAsJsonAsync($"{s.Base}/contacts/{contact}/privacy", new { restricted = true })).StatusCode.Should().Be(HttpStatusCode.OK);

        await s.CustomerWritesAsync("16505550407", "Still the worst service ever");
        var restricted = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{conversation}/sentiment"))!;
        restricted["messages"]!.GetValue<int>().Should().Be(1, "the message written while restricted is not read");

        (await s.Client.PutAsJsonAsync($"{s.Base}/contacts/{contact}/privacy", new { restricted = false })).StatusCode.Should().Be(HttpStatusCode.OK);
        await s.CustomerWritesAsync("16505550407", "Thank you, that was great!");
        var lifted = (await s.Client.GetFromJsonAsync<JsonObject>($"{s.Base}/conversations/{conversation}/sentiment"))!;
        lifted["messages"]!.GetValue<int>().Should().Be(2);
        lifted["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>()).Should().BeEquivalentTo(["negative", "positive"]);
    }

    [Fact]
    public async Task Resolving_a_conversation_writes_its_summary_for_whoever_opens_it_next()
    {
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true });
        var conversation = await s.CustomerWritesAsync("16505550406", "I need to change the delivery address of order 5521.");
        await s.ReplyAsync(conversation, "Done, the courier has the new address.");

        (await s.Client.PostAsync($"{s.Base}/conversations/{conversation}/resolve", null)).IsSuccessStatusCode.Should().BeTrue();

        var summary = await Eventually.PollAsync(async () =>
        {
            var response = await s.Client.GetAsync($"{s.Base}/conversations/{conversation}/summary");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync<JsonObject>() : null;
        });
        summary!["trigger"]!.GetValue<string>().Should().Be("resolved");
        summary["text"]!.GetValue<string>().Should().Contain("delivery address");
    }

    [Fact]
    public async Task Another_tenants_conversation_is_404_on_every_assistant_endpoint_and_nothing_is_written()
    {
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true });
        var conversation = await s.CustomerWritesAsync("16505550407", "hello there");
        var other = await AssistantScenario.CreateAsync(App);
        await other.PutSettingsAsync(new { enabled = true });

        (await other.SuggestAsync(conversation)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.SummarizeAsync(conversation)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Client.GetAsync($"{other.Base}/conversations/{conversation}/summary")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Client.GetAsync($"{other.Base}/conversations/{conversation}/sentiment")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.Client.GetAsync($"{s.Base}/ai")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var db = App.NewDbContext();
        (await db.ConversationSummaries.CountAsync(x => x.TenantId == other.Tenant.Id)).Should().Be(0);
    }
}

public sealed class AssistantApiTests_Sqlite(SqliteAppFixture fixture) : AssistantApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AssistantApiTests_Postgres(PostgresAppFixture fixture) : AssistantApiTests(fixture), IClassFixture<PostgresAppFixture>;
