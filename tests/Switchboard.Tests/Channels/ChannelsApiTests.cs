using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Channels;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Channels;

public abstract class ChannelsApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_channel_is_created_with_masked_credentials_and_its_webhook_url()
    {
        var tenant = await App.CreateTenantAsync();
        var request = Builders.ChannelRequest(appSecret: "s3cr3t-app-secret-ending-3f9a", accessToken: "EAAG-token-ending-in-WXYZ", verifyToken: "short");

        var channel = await App.CreateChannelAsync(tenant, request);

        channel["phoneNumberId"]!.GetValue<string>().Should().Be((string)request["phoneNumberId"]!);
        channel["wabaId"]!.GetValue<string>().Should().Be("102290129340398");
        channel["displayPhoneNumber"]!.GetValue<string>().Should().Be("+1 555 078 3881");
        channel["appSecret"]!.GetValue<string>().Should().Be("••••3f9a");
        channel["accessToken"]!.GetValue<string>().Should().Be("••••WXYZ");
        channel["verifyToken"]!.GetValue<string>().Should().Be("••••", "a short secret is not partly shown");
        channel["webhookUrl"]!.GetValue<string>().Should().EndWith($"/webhooks/whatsapp/{tenant.Id}");
        channel["status"]!.GetValue<string>().Should().Be("active");
        channel["credentials"]!["appSecretRotatedAt"].Should().NotBeNull();
        var json = channel.ToJsonString();
        json.Should().NotContain("s3cr3t-app-secret").And.NotContain("EAAG-token").And.NotContain("short\"");
    }

    [Fact]
    public async Task Channels_are_listed_and_fetched_with_secrets_masked()
    {
        var tenant = await App.CreateTenantAsync();
        var first = await App.CreateChannelAsync(tenant);
        var second = await App.CreateChannelAsync(tenant);
        using var client = App.ClientWithKey(tenant.ApiKey);

        var list = await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels")).ReadJsonAsync();
        list["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())
            .Should().Equal(first["id"]!.GetValue<string>(), second["id"]!.GetValue<string>());
        list.ToJsonString().Should().NotContain("app-secret-0123456789abcdef").And.NotContain("EAAG-access-token");

        var one = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{first["id"]}");
        one.StatusCode.Should().Be(HttpStatusCode.OK);
        (await one.ReadJsonAsync())["appSecret"]!.GetValue<string>().Should().Be("••••cdef");
    }

    [Fact]
    public async Task The_operator_may_manage_a_tenants_channels()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.OperatorClient();

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", Builders.ChannelRequest());

        response.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_operator_gets_404_for_a_tenant_that_does_not_exist()
    {
        using var client = App.OperatorClient();
        var unknown = Guid.CreateVersion7();

        (await client.GetAsync($"/api/v1/tenants/{unknown}/channels")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PostAsJsonAsync($"/api/v1/tenants/{unknown}/channels", Builders.ChannelRequest())).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_tenant_gets_404_on_every_channel_route()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(a);
        var id = channel["id"]!.GetValue<string>();
        using var bClient = App.ClientWithKey(b.ApiKey);

        (await bClient.GetAsync($"/api/v1/tenants/{a.Id}/channels")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.GetAsync($"/api/v1/tenants/{a.Id}/channels/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/channels", Builders.ChannelRequest())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/channels/{id}/credentials", new { appSecret = "a-plausible-app-secret-1" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsync($"/api/v1/tenants/{a.Id}/channels/{id}/revoke", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // B's own route with A's channel id: still nothing to see.
        (await bClient.GetAsync($"/api/v1/tenants/{b.Id}/channels/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsJsonAsync($"/api/v1/tenants/{b.Id}/channels/{id}/credentials", new { appSecret = "a-plausible-app-secret-1" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await bClient.PostAsync($"/api/v1/tenants/{b.Id}/channels/{id}/revoke", null)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        await using var db = App.NewDbContext();
        (await db.Channels.SingleAsync(c => c.Id == Guid.Parse(id))).Status.ToString().Should().Be("Active");
    }

    [Fact]
    public async Task A_phone_number_id_belongs_to_one_channel_across_the_platform()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var phoneNumberId = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(a, Builders.ChannelRequest(phoneNumberId));
        using var bClient = App.ClientWithKey(b.ApiKey);
        using var aClient = App.ClientWithKey(a.ApiKey);

        var other = await bClient.PostAsJsonAsync($"/api/v1/tenants/{b.Id}/channels", Builders.ChannelRequest(phoneNumberId));
        var same = await aClient.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/channels", Builders.ChannelRequest(phoneNumberId));

        other.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await other.ReadJsonAsync())["type"]!.GetValue<string>().Should().EndWith("/conflict");
        same.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Concurrent_claims_of_one_number_admit_exactly_one()
    {
        var tenants = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => App.CreateTenantAsync()));
        var phoneNumberId = Builders.NewPhoneNumberId();

        var responses = await Task.WhenAll(tenants.Select(async t =>
        {
            using var client = App.ClientWithKey(t.ApiKey);
            return await client.PostAsJsonAsync($"/api/v1/tenants/{t.Id}/channels", Builders.ChannelRequest(phoneNumberId));
        }));

        responses.Count(r => r.StatusCode == HttpStatusCode.Created).Should().Be(1);
        responses.Count(r => r.StatusCode == HttpStatusCode.Conflict).Should().Be(5);
    }

    [Theory]
    [InlineData("phoneNumberId", "\"12ab\"")]
    [InlineData("phoneNumberId", "12345")]
    [InlineData("phoneNumberId", "null")]
    [InlineData("wabaId", "\"123456789012345678901234567890123\"")]
    [InlineData("displayPhoneNumber", "\"call me\"")]
    [InlineData("appId", "\"\"")]
    [InlineData("appSecret", "\"\"")]
    [InlineData("accessToken", "{}")]
    [InlineData("verifyToken", "null")]
    public async Task Bad_channel_input_is_a_400_naming_the_field_and_writes_nothing(string field, string jsonValue)
    {
        var tenant = await App.CreateTenantAsync();
        var request = Builders.ChannelRequest();
        var json = System.Text.Json.JsonSerializer.Serialize(request).Replace(
            $"\"{field}\":{System.Text.Json.JsonSerializer.Serialize(request[field])}", $"\"{field}\":{jsonValue}", StringComparison.Ordinal);
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsync($"/api/v1/tenants/{tenant.Id}/channels", new StringContent(json, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ReadJsonAsync();
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        await using var db = App.NewDbContext();
        (await db.Channels.CountAsync(c => c.TenantId == tenant.Id)).Should().Be(0);
    }

    [Fact]
    public async Task An_oversize_access_token_is_rejected()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", Builders.ChannelRequest(accessToken: new string('t', 4097)));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ReadJsonAsync())["errors"]!["accessToken"].Should().NotBeNull();
    }

    [Fact]
    public async Task Rotating_credentials_replaces_them_and_records_when()
    {
        var tenant = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        var created = channel["credentials"]!["accessTokenRotatedAt"]!.GetValue<DateTimeOffset>();
        using var client = App.ClientWithKey(tenant.ApiKey);
        await Task.Delay(20);

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new { accessToken = "EAAG-the-new-token-9876" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var rotated = await response.ReadJsonAsync();
        rotated["accessToken"]!.GetValue<string>().Should().Be("••••9876");
        rotated["credentials"]!["accessTokenRotatedAt"]!.GetValue<DateTimeOffset>().Should().BeAfter(created);
        rotated["credentials"]!["appSecretRotatedAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(created, TimeSpan.FromMilliseconds(1));

        var empty = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new { });
        empty.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_numbers_sending_rate_is_80_by_default_and_can_be_raised_up_to_1000()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        channel["messagesPerSecond"]!.GetValue<int>().Should().Be(80);
        using var client = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/throughput";

        var raised = await client.PutAsJsonAsync(url, new { messagesPerSecond = 1000 });

        raised.StatusCode.Should().Be(HttpStatusCode.OK);
        (await raised.ReadJsonAsync())["messagesPerSecond"]!.GetValue<int>().Should().Be(1000);
        (await client.PutAsJsonAsync(url, new { messagesPerSecond = 1001 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await client.PutAsJsonAsync(url, new { messagesPerSecond = 0 })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var otherClient = App.ClientWithKey(other.ApiKey);
        (await otherClient.PutAsJsonAsync(url, new { messagesPerSecond = 5 })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await otherClient.PutAsJsonAsync($"/api/v1/tenants/{other.Id}/channels/{channel["id"]}/throughput", new { messagesPerSecond = 5 })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_revoked_channel_says_so_and_cannot_be_rotated()
    {
        var tenant = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        using var client = App.ClientWithKey(tenant.ApiKey);

        var revoked = await client.PostAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/revoke", null);

        revoked.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await revoked.ReadJsonAsync();
        body["status"]!.GetValue<string>().Should().Be("revoked");
        body["revokedAt"].Should().NotBeNull();
        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new { appSecret = "new-secret-value" }))
            .StatusCode.Should().Be(HttpStatusCode.Conflict);
    }
}

public sealed class ChannelsApiTests_Sqlite(SqliteAppFixture fixture) : ChannelsApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ChannelsApiTests_Postgres(PostgresAppFixture fixture) : ChannelsApiTests(fixture), IClassFixture<PostgresAppFixture>;
