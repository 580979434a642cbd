using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Crypto;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Crypto;

public abstract class EnvelopeEncryptionTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private ContactDirectory Contacts => App.Services.GetRequiredService<ContactDirectory>();

    private Sealer Sealer => App.Services.GetRequiredService<Sealer>();

    [Fact]
    public async Task A_canary_written_through_the_api_is_nowhere_in_the_database_nor_in_the_logs()
    {
        var canary = "CANARY-" + Guid.NewGuid().ToString("N");
        var tenant = await App.CreateTenantAsync();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(appSecret: canary + "-secret", accessToken: canary + "-token", verifyToken: canary + "-verify"));
        await using (var db = App.NewDbContext())
        {
            await Contacts.CreateAsync(db, tenant.Id, "16505550199", null, canary + "-name", CancellationToken.None);
            await db.SaveChangesAsync();
        }

        var dump = await App.Database.DumpAsync();

        dump.Length.Should().BeGreaterThan(1000, "the dump holds the schema and the rows");
        Encoding.UTF8.GetString(dump).Should().NotContain(canary).And.NotContain("16505550199");
        Encoding.Unicode.GetString(dump).Should().NotContain(canary);
        App.Logs.AllText.Should().NotContain(canary).And.NotContain("16505550199");
        App.Logs.Lines.Should().NotBeEmpty("the capture sees the app's logging");
    }

    [Fact]
    public async Task Ciphertext_copied_to_another_row_or_tenant_does_not_open()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var a1 = Guid.Parse((await App.CreateChannelAsync(a))["id"]!.GetValue<string>());
        var a2 = Guid.Parse((await App.CreateChannelAsync(a))["id"]!.GetValue<string>());
        var b1 = Guid.Parse((await App.CreateChannelAsync(b))["id"]!.GetValue<string>());
        await using var db = App.NewDbContext();
        var source = await db.Channels.SingleAsync(c => c.Id == a1);
        var sameTenant = await db.Channels.SingleAsync(c => c.Id == a2);
        var otherTenant = await db.Channels.SingleAsync(c => c.Id == b1);

        (await Sealer.OpenAsync(ChannelSecrets.AppSecretOf(source), source.AppSecret, default)).Should().Be("app-secret-0123456789abcdef");

        // Moved into another row, another column, another tenant: the associated data no longer matches.
        await FluentActions.Awaiting(async () => await Sealer.OpenAsync(ChannelSecrets.AppSecretOf(sameTenant), source.AppSecret, default))
            .Should().ThrowAsync<CryptographicException>();
        await FluentActions.Awaiting(async () => await Sealer.OpenAsync(ChannelSecrets.AccessTokenOf(source), source.AppSecret, default))
            .Should().ThrowAsync<CryptographicException>();
        await FluentActions.Awaiting(async () => await Sealer.OpenAsync(ChannelSecrets.AppSecretOf(otherTenant), source.AppSecret, default))
            .Should().ThrowAsync<CryptographicException>();

        // And through the database: the copied column makes the row unreadable instead of leaking A's secret.
        sameTenant.AppSecret = source.AppSecret;
        await db.SaveChangesAsync();
        using var client = App.ClientWithKey(a.ApiKey);
        var response = await client.GetAsync($"/api/v1/tenants/{a.Id}/channels/{a2}");
        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().NotContain("app-secret");
    }

    [Fact]
    public async Task Crypto_erasing_a_contact_leaves_other_contacts_and_tenants_readable()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        Contact erased, kept, elsewhere;
        await using (var db = App.NewDbContext())
        {
            erased = await Contacts.CreateAsync(db, a.Id, "+1 650 555 0001", "US.100001", "Erased Person", default);
            kept = await Contacts.CreateAsync(db, a.Id, "+1 650 555 0002", null, "Kept Person", default);
            elsewhere = await Contacts.CreateAsync(db, b.Id, "+1 650 555 0001", null, "Same Number Other Tenant", default);
            await db.SaveChangesAsync();
        }

        var sealedName = erased.ProfileName!;
        await using (var db = App.NewDbContext())
        {
            var contact = await db.Contacts.SingleAsync(c => c.TenantId == a.Id && c.Id == erased.Id);
            Contacts.Erase(contact);
            await db.SaveChangesAsync();
        }

        await using var check = App.NewDbContext();
        var reloaded = await check.Contacts.SingleAsync(c => c.TenantId == a.Id && c.Id == erased.Id);
        reloaded.DataKey.Should().BeNull();
        reloaded.ProfileName.Should().Equal(sealedName, "the ciphertext is still there, and useless");
        await FluentActions.Awaiting(() => Contacts.ReadAsync(reloaded, default)).Should().ThrowAsync<KeyDestroyedException>();
        (await Contacts.FindAsync(check, a.Id, "16505550001", "US.100001", default)).Should().BeNull("the blind indexes are gone too");

        (await Contacts.ReadAsync(await check.Contacts.SingleAsync(c => c.Id == kept.Id), default)).Name.Should().Be("Kept Person");
        var other = await Contacts.FindAsync(check, b.Id, "16505550001", null, default);
        (await Contacts.ReadAsync(other!, default)).Name.Should().Be("Same Number Other Tenant");
    }

    [Fact]
    public async Task Crypto_erasing_a_tenant_makes_its_data_unreadable_and_leaves_others_alone()
    {
        var doomed = await App.CreateTenantAsync();
        var survivor = await App.CreateTenantAsync();
        var doomedChannel = Guid.Parse((await App.CreateChannelAsync(doomed))["id"]!.GetValue<string>());
        await App.CreateChannelAsync(survivor);
        Contact doomedContact;
        await using (var db = App.NewDbContext())
        {
            doomedContact = await Contacts.CreateAsync(db, doomed.Id, "16505550100", null, "Doomed Customer", default);
            await db.SaveChangesAsync();
        }

        byte[] sealedSecret;
        await using (var db = App.NewDbContext())
        {
            sealedSecret = (await db.Channels.SingleAsync(c => c.Id == doomedChannel)).AppSecret;
        }

        using var operatorClient = App.OperatorClient();
        (await operatorClient.DeleteAsync($"/api/v1/tenants/{doomed.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await using var check = App.NewDbContext();
        (await check.TenantKeys.Where(k => k.TenantId == doomed.Id).ToListAsync()).Should().OnlyContain(k => k.WrappedKey == null && k.DestroyedAt != null);
        var context = new SealContext(doomed.Id, "Channels", doomedChannel, "AppSecret");
        await FluentActions.Awaiting(async () => await Sealer.OpenAsync(context, sealedSecret, default)).Should().ThrowAsync<KeyDestroyedException>();
        var contact = await check.Contacts.SingleAsync(c => c.Id == doomedContact.Id);
        await FluentActions.Awaiting(() => Contacts.ReadAsync(contact, default)).Should().ThrowAsync<KeyDestroyedException>();

        using var survivorClient = App.ClientWithKey(survivor.ApiKey);
        var list = await survivorClient.GetAsync($"/api/v1/tenants/{survivor.Id}/channels");
        list.StatusCode.Should().Be(HttpStatusCode.OK);
        (await list.ReadJsonAsync())["items"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Rotating_the_tenant_key_keeps_old_data_readable_and_seals_new_data_with_the_new_version()
    {
        var tenant = await App.CreateTenantAsync();
        var channel = await App.CreateChannelAsync(tenant);
        var id = Guid.Parse(channel["id"]!.GetValue<string>());
        using var client = App.ClientWithKey(tenant.ApiKey);

        var rotated = await client.PostAsync($"/api/v1/tenants/{tenant.Id}/keys/rotate", null);

        rotated.StatusCode.Should().Be(HttpStatusCode.OK);
        (await rotated.ReadJsonAsync())["dataKeyVersion"]!.GetValue<int>().Should().Be(2);
        var old = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{id}");
        old.StatusCode.Should().Be(HttpStatusCode.OK);
        (await old.ReadJsonAsync())["appSecret"]!.GetValue<string>().Should().Be("••••cdef");

        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/channels/{id}/credentials", new { appSecret = "rotated-app-secret-7777" }))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        await using var db = App.NewDbContext();
        var row = await db.Channels.SingleAsync(c => c.Id == id);
        SealedBox.KeyVersionOf(row.AppSecret).Should().Be(2);
        SealedBox.KeyVersionOf(row.AccessToken).Should().Be(1);
        (await Sealer.OpenAsync(ChannelSecrets.AppSecretOf(row), row.AppSecret, default)).Should().Be("rotated-app-secret-7777");
        (await Sealer.OpenAsync(ChannelSecrets.AccessTokenOf(row), row.AccessToken, default)).Should().Be("EAAG-access-token-0123456789");
        (await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}")).ReadJsonAsync())["dataKeyVersion"]!.GetValue<int>().Should().Be(2);
    }

    [Fact]
    public async Task A_customer_is_found_by_phone_number_in_any_format_through_the_blind_index_of_their_tenant_only()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        await using var db = App.NewDbContext();
        var created = await Contacts.CreateAsync(db, a.Id, "16505551234", "US.13491208655302741918", "Sheena Nelson", default);
        await db.SaveChangesAsync();

        var found = await Contacts.FindAsync(db, a.Id, "+1 (650) 555-1234", null, default);
        var byUserId = await Contacts.FindAsync(db, a.Id, null, "US.13491208655302741918", default);

        found!.Id.Should().Be(created.Id);
        byUserId!.Id.Should().Be(created.Id);
        var profile = await Contacts.ReadAsync(found, default);
        profile.Should().Be(new ContactProfile(created.Id, "16505551234", "US.13491208655302741918", "Sheena Nelson"));
        (await Contacts.FindAsync(db, b.Id, "16505551234", null, default)).Should().BeNull();
        var index = App.Services.GetRequiredService<BlindIndex>();
        (await index.ComputeAsync(a.Id, BlindIndex.WaId, "16505551234", default))
            .Should().NotEqual(await index.ComputeAsync(b.Id, BlindIndex.WaId, "16505551234", default), "each tenant has its own index key");
    }
}

public sealed class EnvelopeEncryptionTests_Sqlite(SqliteAppFixture fixture) : EnvelopeEncryptionTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class EnvelopeEncryptionTests_Postgres(PostgresAppFixture fixture) : EnvelopeEncryptionTests(fixture), IClassFixture<PostgresAppFixture>;
