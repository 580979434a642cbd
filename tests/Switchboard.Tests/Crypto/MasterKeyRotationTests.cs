using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Crypto;

/// <summary>The operator replaces the master key; tenant keys are re-wrapped online and all data stays readable.</summary>
public abstract class MasterKeyRotationTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Rotating_the_master_key_rewraps_every_tenant_key_online_and_keeps_data_readable()
    {
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        var oldKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var newKeyId = MasterKeyRing.Fingerprint(Convert.FromBase64String(newKey));

        TestTenant tenant;
        string channelId;
        await using (var before = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = oldKey }))
        {
            tenant = await before.CreateTenantAsync();
            channelId = (await before.CreateChannelAsync(tenant))["id"]!.GetValue<string>();
            using var client = before.ClientWithKey(tenant.ApiKey);
            (await client.PostAsync($"/api/v1/tenants/{tenant.Id}/keys/rotate", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        await using (var during = new SwitchboardApp(database, new Dictionary<string, string?>
        {
            ["Switchboard:MasterKey"] = newKey,
            ["Switchboard:RetiredMasterKeys:0"] = oldKey,
        }))
        {
            using var operatorClient = during.OperatorClient();
            using var client = during.ClientWithKey(tenant.ApiKey);

            // Readable at once, whether or not the background re-wrap has reached this tenant yet.
            (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}")).StatusCode.Should().Be(HttpStatusCode.OK);
            var status = await (await operatorClient.PostAsync("/api/v1/operator/keys/rewrap", null)).ReadJsonAsync();

            status["currentMasterKeyId"]!.GetValue<string>().Should().Be(newKeyId);
            status["pendingRewrap"]!.GetValue<int>().Should().Be(0);
            await using var db = during.NewDbContext();
            (await db.TenantKeys.Where(k => k.TenantId == tenant.Id).Select(k => k.MasterKeyId).ToListAsync())
                .Should().HaveCount(3).And.OnlyContain(id => id == newKeyId);
        }

        await using (var after = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = newKey }))
        {
            using var client = after.ClientWithKey(tenant.ApiKey);
            var channel = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}");
            channel.StatusCode.Should().Be(HttpStatusCode.OK, "the old master key is no longer needed");
            (await channel.ReadJsonAsync())["appSecret"]!.GetValue<string>().Should().Be("••••cdef");
            (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels", Builders.ChannelRequest())).StatusCode.Should().Be(HttpStatusCode.Created);
        }
    }

    [Fact]
    public async Task Without_a_master_key_outside_embedded_mode_the_server_refuses_to_start()
    {
        if (provider != DatabaseProvider.Postgres)
        {
            return;
        }

        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = null });

        var start = () => app.Server;

        start.Should().Throw<InvalidOperationException>().WithMessage("*Switchboard:MasterKey is required*");
    }
}

public sealed class MasterKeyRotationTests_Sqlite() : MasterKeyRotationTests(DatabaseProvider.Sqlite);

public sealed class MasterKeyRotationTests_Postgres() : MasterKeyRotationTests(DatabaseProvider.Postgres);
