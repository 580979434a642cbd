using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Channels;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Channels;

/// <summary>
/// Connecting a number (and rotating its access token) first asks Meta about the number with that token:
/// a token Meta refuses, or one that cannot see the number, is a 422 naming the field, and when Meta cannot
/// be asked the answer is 503; in no case is the number stored, so no webhook is ever routed to it.
/// </summary>
public abstract class NumberOwnershipTests(NumberOwnershipTests.Fixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    [Fact]
    public async Task Connecting_asks_meta_about_the_number_with_its_token_and_keeps_the_verified_name_and_quality()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var token = "EAAG-owner-token-" + phone;

        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone, accessToken: token));

        Graph.NumberLookups.Should().ContainSingle(l => l.PhoneNumberId == phone).Which.Should().Match<FakeGraphApi.SentRequest>(l =>
            l.Authorization == "Bearer " + token && l.Body == "?fields=display_phone_number,verified_name,quality_rating");
        channel["verifiedName"]!.GetValue<string>().Should().Be(FakeGraphApi.VerifiedNameOf(phone));
        channel["qualityRating"]!.GetValue<string>().Should().Be("GREEN");
        using var client = App.ClientWithKey(tenant.ApiKey);
        var listed = await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels")).ReadJsonAsync();
        listed["items"]![0]!["verifiedName"]!.GetValue<string>().Should().Be(FakeGraphApi.VerifiedNameOf(phone));
    }

    [Fact]
    public async Task A_token_meta_refuses_is_a_422_naming_accessToken_and_the_number_is_not_stored()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var token = "EAAG-expired-token-" + phone;
        Graph.RefusedTokens[token] = true;

        var response = await PostChannelAsync(tenant, Builders.ChannelRequest(phone, accessToken: token));

        await ShouldBeRefusedAsync(response, "accessToken");
        await ShouldNotBeStoredAsync(phone);
    }

    [Fact]
    public async Task A_number_the_token_cannot_see_is_a_422_naming_phoneNumberId_and_the_number_is_not_stored()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        Graph.UnknownNumbers[phone] = true;

        var response = await PostChannelAsync(tenant, Builders.ChannelRequest(phone));

        await ShouldBeRefusedAsync(response, "phoneNumberId");
        await ShouldNotBeStoredAsync(phone);

        // The number's webhooks are then nobody's: a tenant that did not prove it holds the number gets none.
        (await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("for whom?")))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("server-error")]
    [InlineData("throttled")]
    [InlineData("dropped-connection")]
    public async Task When_meta_cannot_be_asked_the_answer_is_503_and_the_number_is_not_stored(string fault)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        Graph.NumberAnswer = lookup => lookup.PhoneNumberId != phone ? null : fault switch
        {
            "server-error" => new FakeGraphApi.SendAnswer(500, "{}"),
            "throttled" => FakeGraphApi.SendAnswer.Error(400, 80007, "Rate limit issues"),
            _ => FakeGraphApi.SendAnswer.DropConnection(),
        };

        try
        {
            var response = await PostChannelAsync(tenant, Builders.ChannelRequest(phone));

            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            (await response.ReadJsonAsync())["type"]!.GetValue<string>().Should().EndWith("/unavailable");
            await ShouldNotBeStoredAsync(phone);
        }
        finally
        {
            Graph.NumberAnswer = _ => null;
        }
    }

    [Fact]
    public async Task A_new_access_token_is_checked_before_it_replaces_the_old_one()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var client = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials";
        var refused = "EAAG-refused-rotation-" + phone;
        Graph.RefusedTokens[refused] = true;

        var response = await client.PostAsJsonAsync(url, new { accessToken = refused });

        await ShouldBeRefusedAsync(response, "accessToken");
        var unchanged = await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}")).ReadJsonAsync();
        unchanged["accessToken"]!.GetValue<string>().Should().Be(channel["accessToken"]!.GetValue<string>());
        unchanged["credentials"]!["accessTokenRotatedAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(channel["credentials"]!["accessTokenRotatedAt"]!.GetValue<DateTimeOffset>(), TimeSpan.FromMilliseconds(1));

        var good = "EAAG-good-rotation-" + phone;
        var rotated = await client.PostAsJsonAsync(url, new { accessToken = good });

        rotated.StatusCode.Should().Be(HttpStatusCode.OK);
        Graph.NumberLookups.Where(l => l.PhoneNumberId == phone).Select(l => l.Authorization).Should().Contain("Bearer " + good);
        (await rotated.ReadJsonAsync())["verifiedName"]!.GetValue<string>().Should().Be(FakeGraphApi.VerifiedNameOf(phone));
    }

    [Fact]
    public async Task Rotating_only_the_app_secret_or_verify_token_does_not_ask_meta()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{channel["id"]}/credentials", new { appSecret = "a-new-app-secret-" + phone, verifyToken = "new-verify" });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Graph.NumberLookups.Count(l => l.PhoneNumberId == phone).Should().Be(1, "only the connect asked");
    }

    private async Task<HttpResponseMessage> PostChannelAsync(TestTenant tenant, Dictionary<string, object?> request)
    {
        using var client = App.ClientWithKey(tenant.ApiKey);
        return await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", request);
    }

    private static async Task ShouldBeRefusedAsync(HttpResponseMessage response, string field)
    {
        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = await response.ReadJsonAsync();
        problem["type"]!.GetValue<string>().Should().EndWith("/number-not-verified");
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Equal(field);
        problem.ToJsonString().Should().NotContain("EAAG-", "the token is never echoed");
    }

    private async Task ShouldNotBeStoredAsync(string phone)
    {
        await using var db = App.NewDbContext();
        (await db.Channels.IgnoreQueryFilters().AnyAsync(c => c.PhoneNumberId == phone)).Should().BeFalse();
    }

    public abstract class Fixture(DatabaseProvider provider) : AppFixture(provider)
    {
        public FakeGraphApi Graph { get; private set; } = null!;

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Graph.DisposeAsync();
        }

        protected override async Task<IDictionary<string, string?>?> SettingsAsync()
        {
            Graph = await FakeGraphApi.StartAsync();
            return new Dictionary<string, string?> { ["Switchboard:WhatsApp:GraphApiBaseUrl"] = Graph.GraphApiBaseUrl };
        }
    }

    public sealed class SqliteFixture() : Fixture(DatabaseProvider.Sqlite);

    public sealed class PostgresFixture() : Fixture(DatabaseProvider.Postgres);
}

public sealed class NumberOwnershipTests_Sqlite(NumberOwnershipTests.SqliteFixture fixture) : NumberOwnershipTests(fixture), IClassFixture<NumberOwnershipTests.SqliteFixture>;

public sealed class NumberOwnershipTests_Postgres(NumberOwnershipTests.PostgresFixture fixture) : NumberOwnershipTests(fixture), IClassFixture<NumberOwnershipTests.PostgresFixture>;
