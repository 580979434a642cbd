using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.OpenApi;

/// <summary>What the served document declares, read as a client generator would.</summary>
public sealed class OpenApiDocumentTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    private async Task<JsonObject> DocumentAsync()
    {
        using var client = fixture.App.CreateClient();
        return (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json"))!;
    }

    private static IEnumerable<(string Name, JsonObject Operation)> Operations(JsonObject document) =>
        ((JsonObject)document["paths"]!).SelectMany(p => ((JsonObject)p.Value!)
            .Where(m => m.Value is JsonObject)
            .Select(m => ($"{m.Key.ToUpperInvariant()} {p.Key}", (JsonObject)m.Value!)));

    [Fact]
    public async Task A_bearer_scheme_is_declared_and_every_operation_that_needs_a_key_requires_it()
    {
        var document = await DocumentAsync();
        document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>().Should().Be("bearer");

        var operations = Operations(document).ToList();
        operations.Where(o => o.Name != "POST /api/v1/invites/accept")
            .Where(o => o.Operation["security"] is not JsonArray { Count: > 0 } security || security[0]!["bearer"] is null)
            .Select(o => o.Name).Should().BeEmpty();
        operations.Single(o => o.Name == "POST /api/v1/invites/accept").Operation["security"].Should().BeNull("the invite code is the credential");
    }

    [Fact]
    public async Task Every_operation_declares_its_problem_statuses_as_problem_json()
    {
        var operations = Operations(await DocumentAsync()).ToDictionary(o => o.Name, o => (JsonObject)o.Operation["responses"]!);

        string[] Statuses(string name) => [.. operations[name].Select(r => r.Key)];
        Statuses("GET /api/v1/tenants/{tenantId}/conversations/{conversationId}").Should().Contain(["200", "401", "403", "404", "429"]);
        Statuses("POST /api/v1/tenants/{tenantId}/conversations/{conversationId}/messages").Should().Contain(["202", "400", "401", "403", "404", "409", "415", "422", "429"]);
        Statuses("POST /api/v1/tenants/{tenantId}/channels").Should().Contain(["201", "400", "409"]);
        Statuses("GET /api/v1/tenants").Should().NotContain("404", "no id in the route");
        operations["GET /api/v1/tenants/{tenantId}"]["404"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>()
            .Should().Be("#/components/schemas/ProblemDetails");
        operations["POST /api/v1/tenants"]["400"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>()
            .Should().Be("#/components/schemas/HttpValidationProblemDetails");
    }

    [Fact]
    public async Task The_quarantine_list_and_the_audit_list_have_their_own_item_schemas()
    {
        var document = await DocumentAsync();
        string ItemsOf(string path) =>
            document["paths"]![path]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>();

        ItemsOf("/api/v1/operator/quarantine").Should().Be("#/components/schemas/PageOfQuarantineItem");
        ItemsOf("/api/v1/operator/audit").Should().Be("#/components/schemas/PageOfAuditApiItem");
        var schemas = document["components"]!["schemas"]!;
        schemas["QuarantineItem"]!["properties"]!.AsObject().Select(p => p.Key).Should().Contain(["reason", "attempts"]);
        schemas["AuditApiItem"]!["properties"]!.AsObject().Select(p => p.Key).Should().Contain(["action", "actor"]);
    }

    [Fact]
    public async Task Audit_verify_declares_both_of_its_answers()
    {
        var document = await DocumentAsync();
        var schema = document["paths"]!["/api/v1/tenants/{tenantId}/audit/verify"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        schema["anyOf"]!.AsArray().Select(s => s!["$ref"]!.GetValue<string>())
            .Should().BeEquivalentTo(["#/components/schemas/AuditApiValidResponse", "#/components/schemas/AuditApiBrokenResponse"]);
        document["components"]!["schemas"]!["AuditApiValidResponse"]!["required"]!.AsArray().Select(r => r!.GetValue<string>())
            .Should().BeEquivalentTo(["valid", "checkedEntries"]);
    }

    [Fact]
    public async Task A_request_body_requires_what_the_server_enforces_and_nothing_more()
    {
        var schemas = (await DocumentAsync())["components"]!["schemas"]!;

        // SendRequest's members are all optional to the binder; validation then looks at the kind.
        schemas["SendRequest"]!["required"].Should().BeNull();
        schemas["MarkConversationReadRequest"]!["required"].Should().BeNull();

        // [Required] is enforced, and refuses null.
        schemas["CreateTenantRequest"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()).Should().Equal("name");
        schemas["CreateTenantRequest"]!["properties"]!["name"]!["type"]!.GetValue<string>().Should().Be("string");
    }

    [Fact]
    public async Task Sending_without_a_member_the_document_calls_required_is_refused()
    {
        var tenant = await fixture.App.CreateTenantAsync();
        using var client = fixture.App.ClientWithKey(tenant.ApiKey);
        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { scopes = new[] { "conversations:read" } });
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
