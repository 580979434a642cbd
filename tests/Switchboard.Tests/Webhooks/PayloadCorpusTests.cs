using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// Every real payload in tests/fixtures/payloads, signed and posted to the real endpoint, with what each
/// one must become: the message's type, its readable text and its type-specific fields; statuses;
/// channel events. Each test has its own tenant and number, rewritten into the payload.
/// </summary>
public abstract class PayloadCorpusTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Theory]
    [InlineData("01-meta-text.json", "text", "Does it come in another color?")]
    [InlineData("02-pywa-text.json", "text", "Body Text")]
    [InlineData("04-pywa-forwarded.json", "text", "forwarded text")]
    [InlineData("06-meta-text-message-business-button.json", "text", "Is this still available?")]
    [InlineData("07-meta-text-ctwa-ad-referral.json", "text", "Can I get more info about this?")]
    [InlineData("10-pywa-image.json", "image", "[Image]")]
    [InlineData("11-pywa-video-forwarded-caption.json", "video", "[Video] caption")]
    [InlineData("12-pywa-document-forwarded-caption.json", "document", "[Document: filename.pdf] caption")]
    [InlineData("13-pywa-audio-file.json", "audio", "[Audio]")]
    [InlineData("15-pywa-sticker-static.json", "sticker", "[Sticker]")]
    [InlineData("17-pywa-reaction-emoji.json", "reaction", "[Reaction] \U0001F62E")]
    [InlineData("18-pywa-reaction-removed-empty.json", "reaction", "[Reaction removed]")]
    [InlineData("20-pywa-location-current.json", "location", "[Location] 12.25089, 43.90539")]
    [InlineData("22-pywa-contacts-three-cards.json", "contacts", "[Contacts] Chandler Bing (+1 555-555-5555); Monica (+1 666-666-6666); Rachel Green (+1 777-777-7777)")]
    [InlineData("23-pywa-order-three-items.json", "order", "[Order] 3 items; 3 × HAMBURGER @ 30 ILS; 2 × FRENCH_FRIES @ 35 ILS; 2 × SODA @ 10 ILS")]
    [InlineData("24-meta-interactive-list-reply.json", "interactive", "Priority Mail Express — Next Day to 2 Days")]
    [InlineData("25-meta-interactive-button-reply.json", "interactive", "Cancel")]
    [InlineData("27-pywa-interactive-button-reply-bsuid.json", "interactive", "title")]
    [InlineData("28-pywa-interactive-list-reply.json", "interactive", "title")]
    [InlineData("30-pywa-interactive-nfm-reply-flow.json", "interactive", "[Form reply] comment_text: Comment Text, delivery_rating: 4, purchase_rating: 2, recommend_radio: 0, cs_rating: 0")]
    [InlineData("31-pywa-button-template-quick-reply.json", "button", "title")]
    [InlineData("34-pywa-system-customer-identity-changed.json", "system", "User identity changed")]
    [InlineData("35-meta-unsupported-edit.json", "unsupported", "[Unsupported message: edit]")]
    [InlineData("37-pywa-interactive-with-value-error-131000.json", "interactive", "[Interactive reply]")]
    public async Task Each_message_payload_is_stored_with_its_type_text_time_and_content(string file, string type, string text)
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var original = JsonNode.Parse(Payloads.Read(file))!["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!;

        await IngestAsync(tenant, phone, file);

        var message = (await App.MessagesAsync(tenant)).Single();
        message["type"]!.GetValue<string>().Should().Be(type);
        message["text"]!.GetValue<string>().Should().Be(text);
        message["direction"]!.GetValue<string>().Should().Be("inbound");
        message["status"]!.GetValue<string>().Should().Be("received");
        message["wamid"]!.GetValue<string>().Should().Be(original["id"]!.GetValue<string>());
        message["timestamp"]!.GetValue<DateTimeOffset>().Should().Be(DateTimeOffset.FromUnixTimeSeconds(long.Parse(original["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));
        JsonNode.DeepEquals(message["payload"], original).Should().BeTrue("the message is kept exactly as WhatsApp sent it");
        await AssertNothingQuarantinedAsync(tenant);
    }

    [Fact]
    public async Task Type_specific_fields_are_kept_and_linked()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        foreach (var file in new[] { "04-pywa-forwarded.json", "06-meta-text-message-business-button.json", "07-meta-text-ctwa-ad-referral.json", "12-pywa-document-forwarded-caption.json", "13-pywa-audio-file.json", "15-pywa-sticker-static.json", "35-meta-unsupported-edit.json" })
        {
            await IngestAsync(tenant, phone, file);
        }

        var messages = await App.MessagesAsync(tenant);
        JsonObject ByText(string start) => messages.Single(m => m["text"]!.GetValue<string>().StartsWith(start, StringComparison.Ordinal));
        ByText("forwarded text")["forwarded"]!.GetValue<string>().Should().Be("forwarded");
        var product = ByText("Is this still available?");
        product["replyTo"]!["wamid"]!.GetValue<string>().Should().Be("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA");
        product["payload"]!["context"]!["referred_product"]!["product_retailer_id"]!.GetValue<string>().Should().Be("di9ozbzfi4");
        ByText("Can I get more info")["payload"]!["referral"]!["source_type"]!.GetValue<string>().Should().Be("ad");
        var document = ByText("[Document");
        document["media"]!["kind"]!.GetValue<string>().Should().Be("document");
        document["media"]!["mimeType"]!.GetValue<string>().Should().Be("application/pdf");
        document["forwarded"]!.GetValue<string>().Should().Be("forwarded");
        ByText("[Audio]")["payload"]!["audio"]!["voice"]!.GetValue<bool>().Should().BeFalse();
        ByText("[Sticker]")["media"]!["mimeType"]!.GetValue<string>().Should().Be("image/webp");
        var edit = ByText("[Unsupported");
        edit["error"]!["code"]!.GetValue<int>().Should().Be(131051);
    }

    [Fact]
    public async Task A_reaction_attaches_to_its_target_and_an_empty_emoji_removes_it()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var target = Encoding.UTF8.GetString(Payloads.ForChannel("02-pywa-text.json", phone)).Replace("\"wamid.xyzxyz\"", "\"wamid.yzxyzx=\"", StringComparison.Ordinal);
        await PostAsync(tenant, Encoding.UTF8.GetBytes(target));
        await IngestAsync(tenant, phone, "17-pywa-reaction-emoji.json");

        var targetMessage = (await App.MessagesAsync(tenant)).Single(m => m["wamid"]!.GetValue<string>() == "wamid.yzxyzx=");
        targetMessage["reactions"]!.AsArray().Single()!["emoji"]!.GetValue<string>().Should().Be("\U0001F62E");

        // 18 has the same wamid and time as 17 (a pywa fixture): make it the later event, as it is in real life.
        await PostAsync(tenant, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Payloads.ForChannel("18-pywa-reaction-removed-empty.json", phone)).Replace("\"1697044456\"", "\"1697044500\"", StringComparison.Ordinal).Replace("\"wamid.xyzxyz\"", "\"wamid.unreact\"", StringComparison.Ordinal)));
        (await App.MessagesAsync(tenant)).Single(m => m["wamid"]!.GetValue<string>() == "wamid.yzxyzx=")["reactions"]!.AsArray().Should().BeEmpty();
    }

    [Fact]
    public async Task Two_changes_in_one_entry_are_both_processed()
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        await IngestAsync(tenant, phone, "39-netflie-two-changes-one-entry.json");

        (await App.MessagesAsync(tenant)).Select(m => m["text"]!.GetValue<string>()).Should().BeEquivalentTo(["MESSAGE_BODY", "MESSAGE_BODY2"]);
    }

    [Fact]
    public async Task A_changed_number_moves_the_contact_to_the_new_number()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await IngestAsync(tenant, phone, "02-pywa-text.json");

        await IngestAsync(tenant, phone, "32-pywa-system-user-changed-number.json");

        var conversation = (await App.ConversationsAsync(tenant)).Single()!;
        conversation["contact"]!["waId"]!.GetValue<string>().Should().Be("972912345678");
        (await App.MessagesAsync(tenant)).Should().Contain(m => m["type"]!.GetValue<string>() == "system" && m["text"]!.GetValue<string>() == "User A changed from 972987654321 to 972912345678");
    }

    [Fact]
    public async Task A_business_scoped_user_id_is_kept_on_the_contact()
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        await IngestAsync(tenant, phone, "27-pywa-interactive-button-reply-bsuid.json");

        await using var db = App.NewDbContext();
        var found = await App.Services.GetRequiredService<ContactDirectory>().FindAsync(db, tenant.Id, null, "US.13491208655302741918", default);
        found.Should().NotBeNull();
        (await App.Services.GetRequiredService<ContactDirectory>().ReadAsync(found!, default)).WaId.Should().Be("972987654321");
    }

    [Theory]
    [InlineData("41-pywa-status-sent-cbp-service.json", DeliveryState.Sent, "service", null)]
    [InlineData("43-pywa-status-read.json", DeliveryState.Read, "service", null)]
    [InlineData("44-pywa-status-failed-130472.json", DeliveryState.Failed, null, 130472)]
    [InlineData("46-meta-status-sent-pmp-marketing.json", DeliveryState.Sent, "marketing", null)]
    [InlineData("47-meta-status-sent-v24-minimal.json", DeliveryState.Sent, null, null)]
    [InlineData("49-meta-status-delivered-cbp-service.json", DeliveryState.Delivered, "service", null)]
    internal async Task Each_status_payload_is_recorded_with_metas_time(string file, DeliveryState state, string? category, int? errorCode)
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        var original = JsonNode.Parse(Payloads.Read(file))!["entry"]![0]!["changes"]![0]!["value"]!["statuses"]![0]!;

        await IngestAsync(tenant, phone, file);

        await using var db = App.NewDbContext();
        var update = await db.StatusUpdates.SingleAsync(s => s.TenantId == tenant.Id);
        update.Wamid.Should().Be(original["id"]!.GetValue<string>());
        update.Status.Should().Be(state);
        update.Timestamp.Should().Be(DateTimeOffset.FromUnixTimeSeconds(long.Parse(original["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)));
        update.PricingCategory.Should().Be(category);
        update.ErrorCode.Should().Be(errorCode);
        if (errorCode is not null)
        {
            update.ErrorTitle.Should().Be("User's number is part of an experiment");
        }
    }

    [Theory]
    [InlineData("38-meta-value-errors-130429.json", "messages", "error", 130429)]
    [InlineData("37-pywa-interactive-with-value-error-131000.json", "messages", "error", 131000)]
    [InlineData("50-pywa-template-status-approved.json", "message_template_status_update", "APPROVED", null)]
    [InlineData("51-pywa-account-update-restriction.json", "account_update", "ACCOUNT_RESTRICTION", null)]
    [InlineData("52-pywa-account-update-violation.json", "account_update", "ACCOUNT_VIOLATION", null)]
    [InlineData("54-pywa-account-update-partner-app-installed.json", "account_update", "PARTNER_APP_INSTALLED", null)]
    public async Task Errors_and_account_fields_become_channel_events(string file, string field, string eventName, int? code)
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        await IngestAsync(tenant, phone, file, wabaId: "102290129340398");

        await using var db = App.NewDbContext();
        var recorded = await db.ChannelEvents.Where(e => e.TenantId == tenant.Id).ToListAsync();
        recorded.Should().ContainSingle(e => e.Field == field && e.Event == eventName && e.Code == code);
        var channel = await db.Channels.SingleAsync(c => c.TenantId == tenant.Id);
        channel.Status.Should().Be(eventName == "ACCOUNT_RESTRICTION" ? ChannelStatus.Restricted : ChannelStatus.Active);
    }

    [Fact]
    public async Task The_whole_corpus_posted_to_one_number_leaves_nothing_quarantined()
    {
        var (tenant, phone) = await TenantWithChannelAsync();

        foreach (var file in Payloads.Files)
        {
            await PostAsync(tenant, Payloads.ForChannel(file, phone, "102290129340398"));
        }

        await App.WaitForInboxAsync();
        await AssertNothingQuarantinedAsync(tenant);
        (await App.MessagesAsync(tenant)).Count.Should().BeGreaterThan(20);
    }

    private async Task IngestAsync(TestTenant tenant, string phone, string file, string? wabaId = null)
    {
        await PostAsync(tenant, Payloads.ForChannel(file, phone, wabaId));
    }

    private async Task PostAsync(TestTenant tenant, byte[] body)
    {
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForInboxAsync();
    }

    private async Task AssertNothingQuarantinedAsync(TestTenant tenant)
    {
        await using var db = App.NewDbContext();
        (await db.InboxEvents.Where(e => e.TenantId == tenant.Id).Select(e => e.State).ToListAsync()).Should().OnlyContain(s => s == InboxState.Processed);
    }

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }
}

public sealed class PayloadCorpusTests_Sqlite(SqliteAppFixture fixture) : PayloadCorpusTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PayloadCorpusTests_Postgres(PostgresAppFixture fixture) : PayloadCorpusTests(fixture), IClassFixture<PostgresAppFixture>;
