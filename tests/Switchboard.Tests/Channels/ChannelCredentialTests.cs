using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Channels;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Channels;

/// <summary>
/// A credential that cannot be real (the API's own mask pasted back, a placeholder from the docs) is a 400
/// naming the field, on connect and on rotation, and the credential in use stays as it was.
/// </summary>
public abstract class ChannelCredentialTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task The_apis_own_mask_sent_back_as_a_new_app_secret_is_refused_and_webhooks_keep_working()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var mask = channel["appSecret"]!.GetValue<string>();
        using var client = App.ClientWithKey(tenant.ApiKey);

        foreach (var masked in new[] { mask, "••••-123" })
        {
            var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new { appSecret = masked });

            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            var problem = await response.ReadJsonAsync();
            problem["type"]!.GetValue<string>().Should().EndWith("/validation");
            problem["errors"]!["appSecret"].Should().NotBeNull();
        }

        var after = await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}")).ReadJsonAsync();
        after["credentials"]!["appSecretRotatedAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(channel["credentials"]!["appSecretRotatedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
        (await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("still signed with the real secret"))))
            .StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("appSecret", "••••3f9a")]
    [InlineData("appSecret", "••••")]
    [InlineData("appSecret", "****3f9a")]
    [InlineData("appSecret", "xxxx-3f9a")]
    [InlineData("appSecret", "…")]
    [InlineData("appSecret", "...")]
    [InlineData("appSecret", "<your app secret>")]
    [InlineData("appSecret", "{{APP_SECRET}}")]
    [InlineData("appSecret", "changeme")]
    [InlineData("appSecret", "CHANGE_ME")]
    [InlineData("appSecret", "xxx")]
    [InlineData("appSecret", "xxxxxxxxxxxxxxxx")]
    [InlineData("appSecret", "   ")]
    [InlineData("appSecret", "0123456789abcdef0123456789abcdef\n")]
    [InlineData("appSecret", "short")]
    [InlineData("accessToken", "••••WXYZ")]
    [InlineData("accessToken", "EAAG...")]
    [InlineData("accessToken", "EAAGxxxxxxxx…")]
    [InlineData("accessToken", "<ACCESS_TOKEN>")]
    [InlineData("accessToken", "your-access-token")]
    [InlineData("accessToken", "EAAG token with spaces in it")]
    [InlineData("verifyToken", "••••")]
    [InlineData("verifyToken", "<verify token>")]
    [InlineData("verifyToken", "verify\u0000token")]
    public async Task A_mask_or_placeholder_is_a_400_naming_the_field_when_connecting_and_nothing_is_stored(string field, string value)
    {
        var tenant = await App.CreateTenantAsync();
        var request = Builders.ChannelRequest();
        request[field] = value;
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ReadJsonAsync();
        problem["type"]!.GetValue<string>().Should().EndWith("/validation");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Equal(field);
        await using var db = App.NewDbContext();
        (await db.Channels.CountAsync(c => c.TenantId == tenant.Id)).Should().Be(0);
    }

    [Theory]
    [InlineData("accessToken", "••••6789")]
    [InlineData("accessToken", "...")]
    [InlineData("verifyToken", "••••0123")]
    [InlineData("verifyToken", "")]
    public async Task A_mask_or_placeholder_is_a_400_naming_the_field_when_rotating_and_the_old_value_stays(string field, string value)
    {
        var tenant = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new Dictionary<string, string> { [field] = value });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ReadJsonAsync())["errors"]![field].Should().NotBeNull();
        var after = await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}")).ReadJsonAsync();
        after[field]!.GetValue<string>().Should().Be(channel[field]!.GetValue<string>());
        after["credentials"]![field + "RotatedAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(channel["credentials"]![field + "RotatedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));
    }

    [Theory]
    [InlineData("demo-app-secret", "demo-access-token", "demo-verify-token")]
    [InlineData("6d1f0c2b9e8a4f3d7c5b1a0e9d8c7b6a", "EAAGm0PX4ZCpsBAHZC2ZBzt6HX0W7uZC1ZBsVZAfY3ZCZBm9ZBV8ZAaZC0ZCkZD", "my verify token")]
    public async Task Fakes_of_a_plausible_shape_and_real_looking_credentials_are_accepted(string appSecret, string accessToken, string verifyToken)
    {
        var tenant = await App.CreateTenantAsync();

        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(appSecret: appSecret, accessToken: accessToken, verifyToken: verifyToken));

        channel["status"]!.GetValue<string>().Should().Be("active");
    }
}

public sealed class ChannelCredentialTests_Sqlite(SqliteAppFixture fixture) : ChannelCredentialTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ChannelCredentialTests_Postgres(PostgresAppFixture fixture) : ChannelCredentialTests(fixture), IClassFixture<PostgresAppFixture>;
