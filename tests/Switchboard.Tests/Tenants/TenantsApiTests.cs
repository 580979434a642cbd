using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Tenants;

public abstract class TenantsApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Operator_creates_a_tenant_and_its_admin_key_works_once_shown()
    {
        using var client = App.OperatorClient();
        var response = await client.PostAsJsonAsync("/api/v1/tenants", new { name = "Acme" });

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var body = await response.ReadJsonAsync();
        body["name"]!.GetValue<string>().Should().Be("Acme");
        var id = body["id"]!.GetValue<string>();
        var apiKey = body["apiKey"]!.GetValue<string>();
        apiKey.Should().StartWith("sb_").And.HaveLength(46);
        Guid.Parse(id).Version.Should().Be(7, "ids are time-ordered UUIDv7");

        using var tenantClient = App.ClientWithKey(apiKey);
        var own = await tenantClient.GetAsync($"/api/v1/tenants/{id}");
        own.StatusCode.Should().Be(HttpStatusCode.OK);
        (await own.Content.ReadAsStringAsync()).Should().NotContain(apiKey, "the key is shown only when it is created");

        await using var db = App.NewDbContext();
        var stored = await db.ApiTokens.IgnoreQueryFilters().SingleAsync(t => t.TenantId == Guid.Parse(id));
        stored.TokenHash.Should().HaveCount(32);
        Encoding.UTF8.GetString(stored.TokenHash).Should().NotContain(apiKey[3..13]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer not-a-real-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Creating_a_tenant_needs_the_operator_key(string? authorization)
    {
        using var client = App.CreateClient();
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.PostAsJsonAsync("/api/v1/tenants", new { name = "Nope" });

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        response.Headers.WwwAuthenticate.ToString().Should().Be("Bearer");
    }

    [Fact]
    public async Task A_tenant_key_cannot_create_tenants()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsJsonAsync("/api/v1/tenants", new { name = "Sneaky" });

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("{}", "name")]
    [InlineData("{\"name\": null}", "name")]
    [InlineData("{\"name\": \"\"}", "name")]
    [InlineData("{\"name\": 42}", "name")]
    [InlineData("{\"name\": [\"a\"]}", "name")]
    [InlineData("{\"name\": \"ok\"", "$")]
    [InlineData("not json at all", "$")]
    public async Task Bad_tenant_input_is_a_400_with_field_errors_and_writes_nothing(string json, string field)
    {
        await AssertRejectedWithoutWriteAsync(json, field);
    }

    [Fact]
    public async Task An_oversize_name_is_rejected()
    {
        await AssertRejectedWithoutWriteAsync($"{{\"name\": \"{new string('x', 201)}\"}}", "name");
    }

    [Fact]
    public async Task Another_tenants_key_gets_404_and_an_unknown_tenant_is_404()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        using var bClient = App.ClientWithKey(b.ApiKey);

        (await bClient.GetAsync($"/api/v1/tenants/{a.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsync($"/api/v1/tenants/{a.Id}/keys/rotate", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.GetAsync($"/api/v1/tenants/{Guid.CreateVersion7()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.GetAsync("/api/v1/tenants/not-a-guid")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.GetAsync($"/api/v1/tenants/{b.Id}")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Operator_lists_tenants_with_cursor_paging()
    {
        var created = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await App.CreateTenantAsync()).Id);
        }

        using var client = App.OperatorClient();
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await client.GetFromJsonAsync<PageOf>($"/api/v1/tenants?limit=2{(cursor is null ? "" : "&cursor=" + cursor)}");
            page!.Items.Count.Should().BeLessThanOrEqualTo(2);
            seen.AddRange(page.Items.Select(i => i.Id));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        seen.Should().OnlyHaveUniqueItems().And.ContainInOrder(created);
        seen.Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Erasing_a_tenant_revokes_its_key_and_hides_it()
    {
        var tenant = await App.CreateTenantAsync();
        using var operatorClient = App.OperatorClient();
        using var tenantClient = App.ClientWithKey(tenant.ApiKey);

        (await operatorClient.DeleteAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await tenantClient.GetAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await operatorClient.GetAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await operatorClient.DeleteAsync($"/api/v1/tenants/{tenant.Id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private async Task AssertRejectedWithoutWriteAsync(string json, string field)
    {
        await using var db = App.NewDbContext();
        var before = await db.Tenants.CountAsync();
        using var client = App.OperatorClient();

        var response = await client.PostAsync("/api/v1/tenants", new StringContent(json, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.ReadJsonAsync();
        problem["type"]!.GetValue<string>().Should().EndWith("/validation");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        (await db.Tenants.CountAsync()).Should().Be(before);
    }

    private sealed record PageOf(List<Item> Items, string? NextCursor);

    private sealed record Item(Guid Id, string Name);
}

public sealed class TenantsApiTests_Sqlite(SqliteAppFixture fixture) : TenantsApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class TenantsApiTests_Postgres(PostgresAppFixture fixture) : TenantsApiTests(fixture), IClassFixture<PostgresAppFixture>;
