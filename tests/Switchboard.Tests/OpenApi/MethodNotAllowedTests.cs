using System.Net;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.OpenApi;

/// <summary>A method a route does not take is a 405 with Allow; unknown paths and other tenants' ids stay 404.</summary>
public abstract class MethodNotAllowedTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Theory]
    [InlineData("GET", "/api/v1/operator/audit/verify", "POST")]
    [InlineData("GET", "/api/v1/invites/accept", "POST")]
    [InlineData("DELETE", "/api/v1/tenants", "GET, POST")]
    [InlineData("PATCH", "/api/v1/operator/quarantine", "GET")]
    public async Task A_method_the_route_does_not_take_is_405_with_allow(string method, string path, string allow)
    {
        using var client = App.OperatorClient();
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Contain(allow.Split(", ")).And.NotContain(method);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task A_tenant_route_answers_405_the_same_for_any_tenant_id_and_404_for_an_unknown_path()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(b.ApiKey);

        (await client.GetAsync($"/api/v1/tenants/{a.Id}/keys/rotate")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await client.GetAsync($"/api/v1/tenants/{Guid.NewGuid()}/keys/rotate")).StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await client.PostAsync($"/api/v1/tenants/{a.Id}/keys/rotate", null)).StatusCode.Should().Be(HttpStatusCode.NotFound, "another tenant's id with the right method");
        (await client.GetAsync($"/api/v1/tenants/{a.Id}/no-such-thing")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/api/v1/tenants/not-a-guid/keys/rotate")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.GetAsync("/api/v2/nothing")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_browser_still_gets_the_dashboards_pages_and_its_not_found_page()
    {
        using var client = App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var login = await client.GetAsync("/account/login");
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        var missing = await client.GetAsync("/no/such/page");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        missing.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
    }
}

public sealed class MethodNotAllowedTests_Sqlite(SqliteAppFixture fixture) : MethodNotAllowedTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class MethodNotAllowedTests_Postgres(PostgresAppFixture fixture) : MethodNotAllowedTests(fixture), IClassFixture<PostgresAppFixture>;
