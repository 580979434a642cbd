using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Security;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using Xunit.Abstractions;

namespace Switchboard.Tests.OpenApi;

/// <summary>
/// The OpenAPI document tells the truth, checked from outside: requests made from the served document
/// for every operation (conforming ones and ones that break it in one place), sent to the real pipeline
/// with a tenant, a channel and a conversation in place. Every answer's status must be declared for its
/// operation and its body must match the declared schema; no answer is a server error; no request that
/// breaks the document is accepted. Seeded, so a failure repeats (docs/openapi.md has the larger run).
/// </summary>
public abstract class OpenApiContractTests(ContractAppFixture fixture, ITestOutputHelper output)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Every_answer_is_declared_and_matches_its_schema_and_no_invalid_request_is_accepted()
    {
        var seed = int.Parse(Environment.GetEnvironmentVariable("SWITCHBOARD_CONTRACT_SEED") ?? "20261205", CultureInfo.InvariantCulture);
        var perOperation = int.Parse(Environment.GetEnvironmentVariable("SWITCHBOARD_CONTRACT_REQUESTS") ?? "12", CultureInfo.InvariantCulture);
        var random = new Random(seed);

        var a = await App.CreateTenantAsync("Contract A");
        var b = await App.CreateTenantAsync("Contract B");
        var (ids, victims) = await SeedAsync(a);
        var callers = new Dictionary<string, string?>
        {
            ["tenant"] = a.ApiKey,
            ["operator"] = App.OperatorKey,
            ["anonymous"] = null,
            ["other tenant"] = b.ApiKey,
        };

        using var anonymous = App.CreateClient();
        var contract = new ApiContract((await anonymous.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!);
        var factory = new RequestFactory(contract, random, ids, victims);
        var requests = new List<ContractRequest>();
        foreach (var operation in contract.Operations.OrderBy(Finality).ThenBy(o => o.Name, StringComparer.Ordinal))
        {
            var primary = operation.Path.Contains("{tenantId}", StringComparison.Ordinal) ? "tenant" : "operator";
            for (var i = 0; i < perOperation; i++)
            {
                var caller = random.Next(10) switch { 0 => "anonymous", 1 => "other tenant", 2 => primary == "tenant" ? "operator" : "tenant", _ => primary };
                requests.Add(i % 2 == 0 ? factory.Valid(operation, caller) : factory.Invalid(operation, primary) ?? factory.Valid(operation, caller));
            }
        }

        var findings = new Findings();
        foreach (var request in requests)
        {
            await SendAndCheckAsync(contract, request, callers[request.Caller], findings);
        }

        output.WriteLine($"seed {seed}: {findings.Requests} requests to {contract.Operations.Count} operations, {findings.Invalid} of them breaking the document; " +
            $"{findings.ServerErrors} server errors, {findings.Undeclared} undeclared statuses, {findings.SchemaViolations} answers off their schema, {findings.InvalidAccepted} invalid requests accepted.");
        foreach (var (status, count) in findings.Statuses.OrderBy(s => s.Key))
        {
            output.WriteLine($"  {status}: {count}");
        }

        findings.Problems.Should().BeEmpty();
        findings.Requests.Should().BeGreaterThan(contract.Operations.Count * perOperation / 2);
    }

    /// <summary>Deletes, revocations and disabling go last, so that the rest runs against live resources.</summary>
    private static int Finality(ContractOperation operation) =>
        operation.Method == "DELETE" ? 2 : operation.Path.EndsWith("/revoke", StringComparison.Ordinal) || operation.Path.EndsWith("/disable", StringComparison.Ordinal) ? 1 : 0;

    private async Task SendAndCheckAsync(ApiContract contract, ContractRequest request, string? key, Findings findings)
    {
        using var client = App.CreateClient();
        using var message = new HttpRequestMessage(new HttpMethod(request.Operation.Method), request.Url);
        if (key is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var status = (int)response.StatusCode;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var text = mediaType == "text/event-stream" ? null : await response.Content.ReadAsStringAsync(timeout.Token);
        var conforms = Conforms(contract, request);
        findings.Count(status, conforms);
        var described = $"{request.Describe()} → {status}";

        if (status >= 500)
        {
            findings.Add(ref findings.ServerErrors, $"server error: {described}");
        }

        if (!conforms && status is >= 200 and < 300)
        {
            findings.Add(ref findings.InvalidAccepted, $"accepted though it breaks the document: {described}");
        }

        var declared = request.Operation.Responses[status.ToString(CultureInfo.InvariantCulture)] ?? request.Operation.Responses[$"{status / 100}XX"] ?? request.Operation.Responses["default"];
        if (declared is null)
        {
            findings.Add(ref findings.Undeclared, $"undeclared status: {described} {Trim(text)}");
            return;
        }

        if (declared["content"] is not JsonObject content || text is null)
        {
            return;
        }

        if (mediaType is null || content[mediaType] is not JsonObject media)
        {
            findings.Add(ref findings.SchemaViolations, $"undeclared content type {mediaType}: {described} {Trim(text)}");
            return;
        }

        if (media["schema"] is JsonObject schema && mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            var errors = contract.Check(schema, ApiContract.ParseBody(text));
            if (errors.Count > 0)
            {
                findings.Add(ref findings.SchemaViolations, $"answer off its schema: {described} {Trim(text)}: {string.Join("; ", errors)}");
            }
        }
    }

    /// <summary>Whether the request keeps to the document: its body and its query values.</summary>
    private static bool Conforms(ApiContract contract, ContractRequest request)
    {
        var operation = request.Operation;
        if (operation.BodySchema is { } schema)
        {
            if (request.Body is null ? operation.BodyRequired : ApiContract.ParseBody(request.Body) is var body && (body is null && request.Body != "null" || contract.Check(schema, body).Count > 0))
            {
                return false;
            }
        }

        var query = request.Url.Contains('?', StringComparison.Ordinal) ? System.Web.HttpUtility.ParseQueryString(request.Url[(request.Url.IndexOf('?', StringComparison.Ordinal) + 1)..]) : [];
        return operation.Parameters("query").All(p => query[(string)p["name"]!] is not { } value || contract.ParameterConforms((JsonObject)p["schema"]!, value));
    }

    private static string Trim(string? text) => text is null ? "" : text.Length > 300 ? text[..300] + "…" : text;

    /// <summary>
    /// Tenant A with one of everything a route can name (a channel, a conversation whose customer wrote just now
    /// with an image, so a contact, a message and a media object; a token, an invite, a user), and resources
    /// that deletes may take: another tenant to erase, another token and another invite to revoke.
    /// </summary>
    private async Task<(Dictionary<string, string> Ids, Dictionary<string, string> Victims)> SeedAsync(TestTenant a)
    {
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(a, Builders.ChannelRequest(phone));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mediaId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
        var body = WebhookPayloads.Envelope([[WebhookPayloads.Change(
            phone,
            contacts: [new { profile = new { name = "Contract Customer" }, wa_id = "16505550777" }],
            messages: [
                new { from = "16505550777", id = "wamid.text" + mediaId, timestamp = now, type = "text", text = new { body = "Hello" } },
                new { from = "16505550777", id = "wamid." + mediaId, timestamp = now, type = "image", image = (object)new { mime_type = "image/png", sha256 = "abc", id = mediaId, caption = "a picture" } },
            ])]]);
        (await App.PostSignedAsync(a.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        var (tokenId, _) = await App.CreateTokenAsync(a, [Permissions.ConversationsRead]);
        var (victimTokenId, _) = await App.CreateTokenAsync(a, [Permissions.ConversationsRead]);
        var userId = await App.CreateUserAsync(a, "agent");
        var victimUserId = await App.CreateUserAsync(a, "agent");
        var (inviteId, _) = await App.InviteAsync(a, "manager");
        var (victimInviteId, _) = await App.InviteAsync(a, "agent");
        var victimTenant = await App.CreateTenantAsync("Contract erased");
        using var admin = App.ClientWithKey(a.ApiKey);
        async Task<string> CreateAsync(string path, object body) =>
            (await (await admin.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/{path}", body)).ReadJsonAsync())["id"]!.GetValue<string>();
        var labelId = await CreateAsync("labels", new { name = "contract-label", color = "#1f883d" });
        var victimLabelId = await CreateAsync("labels", new { name = "contract-victim", color = "#cf222e" });
        var cannedResponseId = await CreateAsync("canned-responses", new { shortcut = "contract", text = "Hello {{contact.name}}" });
        var victimCannedResponseId = await CreateAsync("canned-responses", new { shortcut = "contract-victim", text = "Bye" });
        var exportId = await Privacy.PrivacyScenario.RequestExportAsync(admin, a, null);
        var ruleId = await CreateAsync("automation/rules", new { name = "Contract rule", @event = "conversation_resolved", actions = new[] { new { type = "add_note", text = "Done" } } });
        var victimRuleId = await CreateAsync("automation/rules", new { name = "Contract victim", @event = "label_added", actions = new[] { new { type = "resolve" } } });
        var articleId = await CreateAsync("kb/articles", new { title = "Contract article", body = "Returns within **30 days**.", published = true });
        var victimArticleId = await CreateAsync("kb/articles", new { title = "Contract victim", body = "Draft", published = false });
        var flowId = await CreateAsync("flows", new { name = "Contract flow", trigger = new { type = "new_conversation" }, nodes = new[] { new { id = "hi", type = "text", text = "Hello" } } });
        (await admin.PostAsync($"/api/v1/tenants/{a.Id}/flows/{flowId}/publish", null)).EnsureSuccessStatusCode();

        await using var db = App.NewDbContext();
        var conversation = await db.Conversations.SingleAsync(c => c.TenantId == a.Id);
        var requestId = await CreateAsync("privacy/requests", new { type = "access", contactId = conversation.ContactId, requester = new { name = "Contract Requester" } });
        var message = await db.Messages.OrderBy(m => m.Id).FirstAsync(m => m.TenantId == a.Id);
        var media = await db.MediaObjects.SingleAsync(m => m.TenantId == a.Id);
        var ids = new Dictionary<string, string>
        {
            ["tenantId"] = a.Id.ToString(),
            ["channelId"] = channel["id"]!.GetValue<string>(),
            ["conversationId"] = conversation.Id.ToString(),
            ["contactId"] = conversation.ContactId.ToString(),
            ["messageId"] = message.Id.ToString(),
            ["mediaId"] = media.Id.ToString(),
            ["tokenId"] = tokenId.ToString(),
            ["inviteId"] = inviteId.ToString(),
            ["userId"] = userId.ToString(),
            ["labelId"] = labelId,
            ["cannedResponseId"] = cannedResponseId,
            ["exportId"] = exportId.ToString(),
            ["ruleId"] = ruleId,
            ["flowId"] = flowId,
            ["articleId"] = articleId,
            ["version"] = "1",
            ["requestId"] = requestId,
        };
        var victims = new Dictionary<string, string>
        {
            ["tenantId"] = victimTenant.Id.ToString(),
            ["tokenId"] = victimTokenId.ToString(),
            ["inviteId"] = victimInviteId.ToString(),
            ["userId"] = victimUserId.ToString(),
            ["labelId"] = victimLabelId,
            ["cannedResponseId"] = victimCannedResponseId,
            ["ruleId"] = victimRuleId,
            ["articleId"] = victimArticleId,
        };
        return (ids, victims);
    }

    private sealed class Findings
    {
        public int Requests;
        public int Invalid;
        public int ServerErrors;
        public int Undeclared;
        public int SchemaViolations;
        public int InvalidAccepted;

        public Dictionary<int, int> Statuses { get; } = [];

        public List<string> Problems { get; } = [];

        public void Count(int status, bool conforms)
        {
            Requests++;
            Invalid += conforms ? 0 : 1;
            Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        }

        public void Add(ref int counter, string problem)
        {
            counter++;
            if (Problems.Count < 40)
            {
                Problems.Add(problem);
            }
        }
    }
}

/// <summary>The app for the contract run: Meta is the test run's shared fake Graph API (number checks, replies).</summary>
public abstract class ContractAppFixture(DatabaseProvider provider) : AppFixture(provider);

public sealed class SqliteContractAppFixture() : ContractAppFixture(DatabaseProvider.Sqlite);

public sealed class PostgresContractAppFixture() : ContractAppFixture(DatabaseProvider.Postgres);

public sealed class OpenApiContractTests_Sqlite(SqliteContractAppFixture fixture, ITestOutputHelper output) : OpenApiContractTests(fixture, output), IClassFixture<SqliteContractAppFixture>;

public sealed class OpenApiContractTests_Postgres(PostgresContractAppFixture fixture, ITestOutputHelper output) : OpenApiContractTests(fixture, output), IClassFixture<PostgresContractAppFixture>;
