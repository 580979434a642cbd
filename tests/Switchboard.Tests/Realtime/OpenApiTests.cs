using System.Text.Json.Nodes;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Realtime;

public sealed class OpenApiTests(SqliteAppFixture fixture) : IClassFixture<SqliteAppFixture>
{
    [Fact]
    public async Task The_openapi_document_describes_the_tenant_scoped_api()
    {
        using var client = fixture.App.CreateClient();

        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.Should().Contain([
            "/api/v1/tenants",
            "/api/v1/tenants/{tenantId}/channels",
            "/api/v1/tenants/{tenantId}/conversations",
            "/api/v1/tenants/{tenantId}/conversations/{conversationId}/messages",
            "/api/v1/tenants/{tenantId}/contacts",
            "/api/v1/tenants/{tenantId}/events",
            "/api/v1/tenants/{tenantId}/audit",
            "/api/v1/tenants/{tenantId}/audit/verify",
            "/api/v1/operator/audit",
        ]);
        paths.Should().NotContain(p => p.StartsWith("/webhooks", StringComparison.Ordinal), "Meta's callbacks are not part of the client API");
    }
}
