using System.Net;
using System.Net.Http.Json;
using CloudApiSimulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Common.Configuration;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Channels;

/// <summary>
/// The Cloud API simulator (the demo's Meta) answers the number check like Meta: its numbers with their own
/// token are verified, a token it never issued is 190, a good token asking for a number it cannot see is 100.
/// </summary>
public abstract class SimulatorNumberCheckTests(SimulatorNumberCheckTests.Fixture fixture)
{
    private const string Number = "100000000000071";
    private const string OtherNumber = "100000000000072";
    private const string Token = "sim-number-check-token";
    private const string OtherToken = "sim-number-check-other-token";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_simulated_number_with_its_own_token_is_connected_with_its_verified_name()
    {
        var tenant = await App.CreateTenantAsync();

        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(Number, accessToken: Token));

        channel["verifiedName"]!.GetValue<string>().Should().Be("Simulated Shop");
        channel["qualityRating"]!.GetValue<string>().Should().Be("GREEN");
    }

    [Theory]
    [InlineData(OtherNumber, Token, "phoneNumberId")]
    [InlineData("100000000000079", Token, "phoneNumberId")]
    [InlineData(OtherNumber, "sim-token-nobody-issued", "accessToken")]
    public async Task A_token_the_simulator_refuses_or_a_number_it_cannot_see_is_a_422(string phoneNumberId, string accessToken, string field)
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var response = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", Builders.ChannelRequest(phoneNumberId, accessToken: accessToken));

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Equal(field);
    }

    public abstract class Fixture(DatabaseProvider provider) : AppFixture(provider)
    {
        private WebApplication simulator = null!;

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await simulator.DisposeAsync();
        }

        protected override async Task<IDictionary<string, string?>?> SettingsAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            builder.Services.AddCloudApiSimulator(builder.Configuration.GetSection("Simulator"), "/");
            builder.Services.PostConfigure<SimulatorOptions>(o =>
            {
                o.Numbers.Add(new SimulatedNumber { PhoneNumberId = Number, WabaId = "100000000000002", DisplayPhoneNumber = "+1 555 010 0071", VerifiedName = "Simulated Shop", AccessToken = Token });
                o.Numbers.Add(new SimulatedNumber { PhoneNumberId = OtherNumber, WabaId = "100000000000002", DisplayPhoneNumber = "+1 555 010 0072", VerifiedName = "Another Shop", AccessToken = OtherToken });
            });
            simulator = builder.Build();
            simulator.MapCloudApiSimulator("/");
            await simulator.StartAsync();
            var address = simulator.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            return new Dictionary<string, string?> { ["Switchboard:WhatsApp:GraphApiBaseUrl"] = address + SimulatorEndpoints.GraphPath };
        }
    }

    public sealed class SqliteFixture() : Fixture(DatabaseProvider.Sqlite);

    public sealed class PostgresFixture() : Fixture(DatabaseProvider.Postgres);
}

public sealed class SimulatorNumberCheckTests_Sqlite(SimulatorNumberCheckTests.SqliteFixture fixture) : SimulatorNumberCheckTests(fixture), IClassFixture<SimulatorNumberCheckTests.SqliteFixture>;

public sealed class SimulatorNumberCheckTests_Postgres(SimulatorNumberCheckTests.PostgresFixture fixture) : SimulatorNumberCheckTests(fixture), IClassFixture<SimulatorNumberCheckTests.PostgresFixture>;
