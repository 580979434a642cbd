using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Assistant;
using Switchboard.Features.Audit;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Assistant;

/// <summary>
/// The OpenAI-compatible provider pointed at a real HTTP endpoint started here (Kestrel on 127.0.0.1, the chat
/// completions JSON): personal data planted in a conversation never reaches it, and the answer the agent sees has it back (ADR 0035).
/// </summary>
public abstract partial class RedactionEgressTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task No_planted_personal_datum_reaches_the_endpoint_and_the_agent_sees_the_answer_restored()
    {
        await using var endpoint = await FakeChatEndpoint.StartAsync();
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true, provider = "openai", baseUrl = endpoint.BaseUrl, model = "test-model", apiKey = "sk-local-test-key-0001" });
        (await s.Client.PostAsJsonAsync($"{s.Base}/contact-attributes", new { key = "customer_code", label = "Customer code", type = "text" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await s.Client.PostAsJsonAsync($"{s.Base}/canned-responses", new { shortcut = "card", text = "We never ask for your card number in this chat." })).IsSuccessStatusCode.Should().BeTrue();

        string[] planted = ["+55 11 98765-4321", "mariana.oliveira@example.com", "4111 1111 1111 1111", "277.113.153-68", "GB82 WEST 1234 5698 7654 32", "Mariana", "Oliveira", "ZX-99812"];
        var conversation = await s.CustomerWritesAsync(
            "5511987654321",
            "Hi, I'm Mariana Oliveira. Call me at +55 11 98765-4321 or write to mariana.oliveira@example.com. My card 4111 1111 1111 1111 was charged twice, CPF 277.113.153-68.",
            name: "Mariana Oliveira");
        var contactId = (await App.ConversationsAsync(s.Tenant)).Single(c => c!["id"]!.GetValue<Guid>() == conversation)!["contact"]!["id"]!.GetValue<Guid>();
        (await s.Client.PatchAsJsonAsync($"{s.Base}/contacts/{contactId}", new { attributes = new Dictionary<string, object> { ["customer_code"] = "ZX-99812" } }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await s.CustomerWritesAsync("5511987654321", "Refund to GB82 WEST 1234 5698 7654 32 please, my code is ZX-99812.", name: "Mariana Oliveira");

        var suggest = await s.SuggestAsync(conversation);
        suggest.StatusCode.Should().Be(HttpStatusCode.OK, await suggest.Content.ReadAsStringAsync());
        var suggestions = (await suggest.Content.ReadFromJsonAsync<JsonObject>())!;
        suggestions["provider"]!.GetValue<string>().Should().Be("openai");
        var first = suggestions["items"]!.AsArray()[0]!;
        first["source"]!.GetValue<string>().Should().Be("model");

        var summarize = await s.SummarizeAsync(conversation);
        summarize.StatusCode.Should().Be(HttpStatusCode.OK, await summarize.Content.ReadAsStringAsync());
        var summary = (await summarize.Content.ReadFromJsonAsync<JsonObject>())!["text"]!.GetValue<string>();

        endpoint.Requests.Should().HaveCount(2, "one prompt for the suggestion, one for the summary");
        foreach (var request in endpoint.Requests)
        {
            request.Authorization.Should().Be("Bearer sk-local-test-key-0001");
            foreach (var datum in planted.Concat(["98765", "4111", "153-68", "5511987654321"]))
            {
                request.Body.Should().NotContainEquivalentOf(datum, "no planted datum may leave the process");
                request.Prompt.Should().NotContainEquivalentOf(datum);
            }

            request.Prompt.Should().Contain("[PHONE_1]").And.Contain("[EMAIL_1]").And.Contain("[CARD_1]").And.Contain("[CPF_1]").And.Contain("[IBAN_1]").And.Contain("[NAME_1]").And.Contain("[ATTRIBUTE_1]");
        }

        // The endpoint answers with the placeholders it saw; the agent reads the real values.
        foreach (var shown in new[] { first["text"]!.GetValue<string>(), summary })
        {
            shown.Should().Contain("+55 11 98765-4321").And.Contain("mariana.oliveira@example.com").And.Contain("ZX-99812").And.Contain("Mariana Oliveira");
            shown.Should().NotMatchRegex(@"\[(PHONE|EMAIL|NAME|ATTRIBUTE)_\d+\]");
        }

        await using var db = App.NewDbContext();
        var uses = await db.Set<AuditEntry>().AsNoTracking()
            .Where(e => e.TenantId == s.Tenant.Id && (e.Action == AssistantAudit.Suggested || e.Action == AssistantAudit.Summarized)).ToListAsync();
        uses.Should().HaveCount(2);
        uses.Should().OnlyContain(u => u.Detail!.Contains("\"provider\":\"openai\"") && u.Detail.Contains(AssistantRunner.Sha256(endpoint.Requests[0].User)) == (u.Action == AssistantAudit.Suggested));
        foreach (var datum in planted)
        {
            uses.Should().OnlyContain(u => !u.Detail!.Contains(datum, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task An_endpoint_that_fails_answers_503_and_stores_no_summary()
    {
        await using var endpoint = await FakeChatEndpoint.StartAsync(fail: true);
        var s = await AssistantScenario.CreateAsync(App);
        await s.PutSettingsAsync(new { enabled = true, provider = "openai", baseUrl = endpoint.BaseUrl, model = "test-model", apiKey = "sk-local-test-key-0002" });
        var conversation = await s.CustomerWritesAsync("16505550501", "Where is my order?");

        var response = await s.SummarizeAsync(conversation);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("order");
        await using var db = App.NewDbContext();
        (await db.ConversationSummaries.CountAsync(x => x.TenantId == s.Tenant.Id)).Should().Be(0);
    }

    /// <summary>A chat-completions endpoint on a free loopback port that records what it was sent and echoes the placeholders back.</summary>
    private sealed partial class FakeChatEndpoint : IAsyncDisposable
    {
        private readonly WebApplication app;

        private FakeChatEndpoint(WebApplication app, bool fail)
        {
            this.app = app;
            app.MapPost("/v1/chat/completions", async (HttpContext http) =>
            {
                var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
                using var json = JsonDocument.Parse(body);
                var prompt = string.Join("\n", json.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").ToString()));
                var user = json.RootElement.GetProperty("messages").EnumerateArray().Last().GetProperty("content").ToString();
                Requests.Add(new Seen(http.Request.Headers.Authorization.ToString(), body, prompt, user));
                if (fail)
                {
                    return Results.Json(new { error = new { message = "overloaded", type = "server_error" } }, statusCode: 500);
                }

                var placeholders = Placeholder().Matches(prompt).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal);
                var content = $"Thanks {string.Join(" ", placeholders)}";
                return Results.Json(new
                {
                    id = "chatcmpl-test",
                    @object = "chat.completion",
                    created = 1_765_000_000,
                    model = "test-model",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
                });
            });
        }

        public sealed record Seen(string Authorization, string Body, string Prompt, string User);

        public List<Seen> Requests { get; } = [];

        public string BaseUrl { get; private set; } = "";

        public static async Task<FakeChatEndpoint> StartAsync(bool fail = false)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            var endpoint = new FakeChatEndpoint(builder.Build(), fail);
            await endpoint.app.StartAsync();
            var address = endpoint.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            endpoint.BaseUrl = address.TrimEnd('/') + "/v1";
            return endpoint;
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();

        [GeneratedRegex(@"\[[A-Z]+_\d+\]")]
        private static partial Regex Placeholder();
    }
}

public sealed class RedactionEgressTests_Sqlite(SqliteAppFixture fixture) : RedactionEgressTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class RedactionEgressTests_Postgres(PostgresAppFixture fixture) : RedactionEgressTests(fixture), IClassFixture<PostgresAppFixture>;
