using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// A customer's identity as Meta documents it (FACTS.md, business-scoped user ids): a phone number, a
/// business-scoped user id, or both; ids replaced by system notices. Webhooks that reveal two contacts to
/// be one person merge them, keeping every conversation and message; repeated notices are harmless.
/// </summary>
public abstract class ContactIdentityTests(AppFixture fixture)
{
    private const string Phone = "16505550177";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_phone_then_a_user_id_then_both_together_end_as_one_contact_with_every_message()
    {
        var (tenant, channel) = await TenantWithChannelAsync();
        var userId = "US." + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);

        await PostAsync(tenant, Message(channel, from: Phone, userId: null, "from the phone", 1_750_000_000));
        await PostAsync(tenant, Message(channel, from: null, userId: userId, "from the user id", 1_750_000_100));
        await PostAsync(tenant, Message(channel, from: Phone, userId: userId, "from both", 1_750_000_200));
        await PostAsync(tenant, Message(channel, from: Phone, userId: userId, "both again", 1_750_000_300));

        await AssertOneContactAsync(tenant, Phone, userId, "from the phone", "from the user id", "from both", "both again");
    }

    [Fact]
    public async Task Ids_revealed_together_within_one_payload_merge_contacts_created_by_the_same_batch()
    {
        var (tenant, channel) = await TenantWithChannelAsync();
        var userId = "US." + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);
        var body = Envelope([[
            MessageChange(channel, Phone, null, "one", 1_750_000_000),
            MessageChange(channel, null, userId, "two", 1_750_000_100),
            MessageChange(channel, Phone, userId, "three", 1_750_000_200),
        ]]);

        await PostAsync(tenant, body);

        await AssertOneContactAsync(tenant, Phone, userId, "one", "two", "three");
    }

    [Fact]
    public async Task The_same_user_id_change_notice_delivered_twice_with_different_wamids_is_harmless()
    {
        var (tenant, channel) = await TenantWithChannelAsync();
        var before = "US." + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);
        var after = "US." + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);

        await PostAsync(tenant, Message(channel, from: Phone, userId: before, "before the change", 1_750_000_000));
        await PostAsync(tenant, Notice(channel, before, after, 1_750_000_100));
        await PostAsync(tenant, Notice(channel, before, after, 1_750_000_101));
        await PostAsync(tenant, Message(channel, from: null, userId: after, "after the change", 1_750_000_200));

        await AssertOneContactAsync(tenant, Phone, after, "before the change", "[System message]", "[System message]", "after the change");
        await using var db = App.NewDbContext();
        (await App.Services.GetRequiredService<ContactDirectory>().FindAsync(db, tenant.Id, null, before, default)).Should().BeNull("the old id was replaced");
    }

    [Fact]
    public async Task A_user_id_seen_alone_after_the_change_notice_arrived_out_of_order_is_merged_when_the_notice_comes()
    {
        var (tenant, channel) = await TenantWithChannelAsync();
        var before = "US." + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);
        var after = "US." + Random.Shared.NextInt64(1_000_000_000_000, 9_999_999_999_999);

        await PostAsync(tenant, Message(channel, from: Phone, userId: before, "old id", 1_750_000_000));
        await PostAsync(tenant, Message(channel, from: null, userId: after, "new id, notice not here yet", 1_750_000_200));
        await PostAsync(tenant, Notice(channel, before, after, 1_750_000_100));

        await AssertOneContactAsync(tenant, Phone, after, "old id", "[System message]", "new id, notice not here yet");
    }

    private async Task AssertOneContactAsync(TestTenant tenant, string phone, string userId, params string[] texts)
    {
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).Select(e => e.State).ToListAsync()).Should().OnlyContain(s => s == WebhookEventState.Processed);
        var live = await db.Contacts.Where(c => c.TenantId == tenant.Id && c.ErasedAt == null).ToListAsync();
        live.Should().ContainSingle("one person, one contact");
        var directory = App.Services.GetRequiredService<ContactDirectory>();
        var profile = await directory.ReadAsync(live[0], default);
        profile.Should().BeEquivalentTo(new { WaId = phone, UserId = userId });
        (await db.Conversations.Where(c => c.TenantId == tenant.Id).Select(c => c.ContactId).ToListAsync()).Should().OnlyContain(id => id == live[0].Id);
        (await db.Messages.Where(m => m.TenantId == tenant.Id).Select(m => m.ContactId).ToListAsync()).Should().OnlyContain(id => id == live[0].Id);

        // Every message is still readable, now with the surviving contact's key.
        (await App.MessagesAsync(tenant)).Select(m => (string?)m["text"]).Should().BeEquivalentTo(texts);
    }

    private async Task PostAsync(TestTenant tenant, byte[] body)
    {
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
    }

    private static byte[] Message(string channel, string? from, string? userId, string text, long at) =>
        Envelope([[MessageChange(channel, from, userId, text, at)]]);

    private static object MessageChange(string channel, string? from, string? userId, string text, long at) => Change(
        channel,
        contacts: [new { profile = new { name = "Pat" }, wa_id = from, user_id = userId }],
        messages: [new { from, from_user_id = from is null ? userId : null, id = "wamid." + Guid.NewGuid().ToString("N"), timestamp = at.ToString(System.Globalization.CultureInfo.InvariantCulture), type = "text", text = new { body = text } }]);

    /// <summary>Meta's <c>user_changed_user_id</c> notice: no <c>from</c>, the old and new ids in <c>system</c>.</summary>
    private static byte[] Notice(string channel, string previous, string current, long at) => Envelope([[Change(
        channel,
        messages: [new { id = "wamid." + Guid.NewGuid().ToString("N"), timestamp = at.ToString(System.Globalization.CultureInfo.InvariantCulture), type = "system", system = new { type = "user_changed_user_id", user_id = current, previous_user_id = previous } }])]]);

    private async Task<(TestTenant Tenant, string Channel)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var channel = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(channel));
        return (tenant, channel);
    }
}

public sealed class ContactIdentityTests_Sqlite(SqliteAppFixture fixture) : ContactIdentityTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ContactIdentityTests_Postgres(PostgresAppFixture fixture) : ContactIdentityTests(fixture), IClassFixture<PostgresAppFixture>;
