using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>
/// Every list endpoint (every GET that answers <c>items</c>, found by calling them all) refuses a
/// <c>limit</c> outside 1–200 with a 400 validation problem naming the field, instead of clamping it.
/// </summary>
public abstract class PagingLimitTests(AppFixture fixture)
{
    private static readonly string[] OutOfRange = ["-1", "0", "201", "100000000", "ten", "1.5", " 5"];

    /// <summary>The paged lists this product has today; the discovery must find at least these.</summary>
    private static readonly string[] KnownLists =
    [
        "ListTenants", "ListConversations", "ListMessages", "ListQuarantinedWebhooks", "ListAuditEntries", "ListPlatformAuditEntries",
    ];

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Every_list_endpoint_refuses_a_limit_outside_1_to_200_with_a_field_error()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        (await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello")))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        var conversationId = (await App.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<string>();
        var values = new Dictionary<string, string> { ["tenantId"] = tenant.Id.ToString(), ["conversationId"] = conversationId };
        using var tenantClient = App.ClientWithKey(tenant.ApiKey);
        using var operatorClient = App.OperatorClient();

        var lists = await ListEndpointsAsync(tenantClient, operatorClient, values);

        lists.Select(l => l.Name).Should().Contain(KnownLists);
        var failures = new List<string>();
        foreach (var (name, url, client) in lists)
        {
            foreach (var limit in OutOfRange)
            {
                var response = await client.GetAsync(url + "?limit=" + Uri.EscapeDataString(limit));
                var body = response.StatusCode == HttpStatusCode.BadRequest ? await response.ReadJsonAsync() : null;
                if (body?["type"]?.GetValue<string>() != "https://switchboard.dev/problems/validation" || body["errors"]?["limit"] is null)
                {
                    failures.Add($"{name} ?limit={limit}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }

            foreach (var limit in new[] { "1", "200" })
            {
                var response = await client.GetAsync(url + "?limit=" + limit);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{name} ?limit={limit}: {(int)response.StatusCode}");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public async Task The_limit_is_checked_after_authorization()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        using var otherClient = App.ClientWithKey(other.ApiKey);

        (await App.CreateClient().GetAsync($"/api/v1/tenants/{tenant.Id}/conversations?limit=0")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await otherClient.GetAsync($"/api/v1/tenants/{tenant.Id}/conversations?limit=0")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    /// <summary>Every GET of the tenant or the operator that answers 200 with an <c>items</c> array.</summary>
    private async Task<List<(string Name, string Url, HttpClient Client)>> ListEndpointsAsync(HttpClient tenantClient, HttpClient operatorClient, Dictionary<string, string> values)
    {
        var names = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null
                && e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .ToDictionary(e => e.RoutePattern.RawText!, e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName);
        var lists = new List<(string, string, HttpClient)>();
        foreach (var endpoint in EndpointCatalog.All(App).Where(e => e.Method == "GET" && e.Kind is EndpointKind.Tenant or EndpointKind.Operator))
        {
            if (endpoint.Route.EndsWith("/events", StringComparison.Ordinal)
                || System.Text.RegularExpressions.Regex.Matches(endpoint.Route, @"\{(\w+)\}").Any(m => !values.ContainsKey(m.Groups[1].Value)))
            {
                continue; // the event stream never ends; routes naming other resources answer one resource, not a list
            }

            var url = EndpointCatalog.Url(endpoint, values);
            var client = endpoint.Kind == EndpointKind.Operator ? operatorClient : tenantClient;
            var response = await client.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.OK
                && response.Content.Headers.ContentType?.MediaType == "application/json"
                && JsonNode.Parse(await response.Content.ReadAsStringAsync()) is JsonObject { } body
                && body["items"] is JsonArray)
            {
                lists.Add((names.GetValueOrDefault(endpoint.RawPattern, endpoint.Name), url, client));
            }
        }

        return lists;
    }
}

public sealed class PagingLimitTests_Sqlite(SqliteAppFixture fixture) : PagingLimitTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PagingLimitTests_Postgres(PostgresAppFixture fixture) : PagingLimitTests(fixture), IClassFixture<PostgresAppFixture>;
