using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Webhooks;

/// <summary>
/// Every real payload in tests/fixtures/payloads (see INDEX.md there), signed and posted to the real
/// endpoint, one test per file: what the message becomes through the API (type, text, Meta's time, the
/// payload exactly as sent, reply, forward, media, error, its conversation and contact), the status rows,
/// and the channel events. Each test has its own tenant and number, rewritten into the payload.
/// </summary>
public abstract class PayloadCorpusTests(AppFixture fixture)
{
    private const string Waba = "102290129340398";

    private SwitchboardApp App => fixture.App;

    // ---- messages[]: one file, one message ----

    [Fact]
    public async Task P01_meta_text_is_a_plain_text_message()
    {
        var m = (await MessageAsync("01-meta-text.json", "text", "Does it come in another color?")).Message;
        ((string?)m["payload"]!["text"]!["body"]).Should().Be("Does it come in another color?");
    }

    [Fact]
    public async Task P02_pywa_minimal_text()
    {
        var m = (await MessageAsync("02-pywa-text.json", "text", "Body Text")).Message;
        ((string?)m["wamid"]).Should().Be("wamid.xyzxyz");
    }

    [Fact]
    public async Task P04_forwarded_text_is_marked_forwarded_without_a_reply()
    {
        var m = (await MessageAsync("04-pywa-forwarded.json", "text", "forwarded text", forwarded: "forwarded")).Message;
        ((bool?)m["payload"]!["context"]!["forwarded"]).Should().BeTrue();
    }

    [Fact]
    public async Task P06_message_business_button_replies_to_the_product_and_keeps_the_referred_product()
    {
        var m = (await MessageAsync("06-meta-text-message-business-button.json", "text", "Is this still available?", replyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA")).Message;
        ((string?)m["payload"]!["context"]!["referred_product"]!["catalog_id"]).Should().Be("194836987003835");
        ((string?)m["payload"]!["context"]!["referred_product"]!["product_retailer_id"]).Should().Be("di9ozbzfi4");
    }

    [Fact]
    public async Task P07_click_to_whatsapp_ad_keeps_the_referral()
    {
        var referral = (await MessageAsync("07-meta-text-ctwa-ad-referral.json", "text", "Can I get more info about this?")).Message["payload"]!["referral"]!;
        ((string?)referral["source_type"]).Should().Be("ad");
        ((string?)referral["source_id"]).Should().Be("120226305854810726");
        ((string?)referral["ctwa_clid"]).Should().StartWith("Aff-n8ZTODiE79d22KtAwQKj9e_");
        ((string?)referral["welcome_message"]!["text"]).Should().Be("Hi there! Let us know how we can help!");
    }

    [Fact]
    public async Task P10_image_without_caption_is_queued_as_media()
    {
        var m = (await MessageAsync("10-pywa-image.json", "image", "[Image]", mimeType: "image/jpeg")).Message;
        ((string?)m["payload"]!["image"]!["id"]).Should().Be("65463453");
        m["payload"]!["image"]!.AsObject().ContainsKey("caption").Should().BeFalse();
    }

    [Fact]
    public async Task P11_forwarded_video_shows_its_caption()
    {
        var m = (await MessageAsync("11-pywa-video-forwarded-caption.json", "video", "[Video] caption", forwarded: "forwarded", mimeType: "video/mp4")).Message;
        ((string?)m["payload"]!["video"]!["caption"]).Should().Be("caption");
    }

    [Fact]
    public async Task P12_forwarded_document_shows_its_file_name_and_caption()
    {
        var m = (await MessageAsync("12-pywa-document-forwarded-caption.json", "document", "[Document: filename.pdf] caption", forwarded: "forwarded", mimeType: "application/pdf")).Message;
        ((string?)m["payload"]!["document"]!["filename"]).Should().Be("filename.pdf");
    }

    [Fact]
    public async Task P13_audio_file_is_not_a_voice_message()
    {
        var m = (await MessageAsync("13-pywa-audio-file.json", "audio", "[Audio]", forwarded: "forwarded", mimeType: "audio/ogg; codecs=opus")).Message;
        ((bool?)m["payload"]!["audio"]!["voice"]).Should().BeFalse();
    }

    [Fact]
    public async Task P15_static_sticker()
    {
        var m = (await MessageAsync("15-pywa-sticker-static.json", "sticker", "[Sticker]", mimeType: "image/webp")).Message;
        ((bool?)m["payload"]!["sticker"]!["animated"]).Should().BeFalse();
    }

    [Fact]
    public async Task P17_reaction_is_stored_against_its_target_wamid()
    {
        var (tenant, m, conversation) = await MessageAsync("17-pywa-reaction-emoji.json", "reaction", "[Reaction] \ud83d\ude2e");
        ((string?)m["payload"]!["reaction"]!["emoji"]).Should().Be("\U0001F62E", "the escaped surrogate pair is one emoji");

        await using var db = App.NewDbContext();
        var reaction = await db.Reactions.SingleAsync(r => r.TenantId == tenant.Id);
        reaction.TargetWamid.Should().Be("wamid.yzxyzx=");
        reaction.Emoji.Should().NotBeNull();
        reaction.MessageId.ToString().Should().Be((string?)m["id"]);
        reaction.ContactId.ToString().Should().Be((string?)conversation["contact"]!["id"]);
    }

    [Fact]
    public async Task P18_reaction_with_an_empty_emoji_is_a_removal()
    {
        var (tenant, m, _) = await MessageAsync("18-pywa-reaction-removed-empty.json", "reaction", "[Reaction removed]");
        ((string?)m["payload"]!["reaction"]!["emoji"]).Should().BeEmpty();

        await using var db = App.NewDbContext();
        var reaction = await db.Reactions.SingleAsync(r => r.TenantId == tenant.Id);
        reaction.TargetWamid.Should().Be("wamid.yzxyzx=");
        reaction.Emoji.Should().BeNull("the row stays, emptied, so an older late reaction cannot come back");
    }

    [Fact]
    public async Task P20_current_location_renders_its_coordinates()
    {
        var m = (await MessageAsync("20-pywa-location-current.json", "location", "[Location] 12.25089, 43.90539", forwarded: "forwarded")).Message;
        ((double?)m["payload"]!["location"]!["latitude"]).Should().Be(12.25089);
        ((double?)m["payload"]!["location"]!["longitude"]).Should().Be(43.90539);
    }

    [Fact]
    public async Task P22_three_contact_cards_do_not_change_who_sent_them()
    {
        // The helper checks that the conversation's contact is value.contacts[0] (Test Name), not a shared card.
        var m = (await MessageAsync("22-pywa-contacts-three-cards.json", "contacts", "[Contacts] Chandler Bing (+1 555-555-5555); Monica (+1 666-666-6666); Rachel Green (+1 777-777-7777)")).Message;
        var cards = m["payload"]!["contacts"]!.AsArray();
        cards.Select(c => (string?)c!["phones"]![0]!["type"]).Should().Equal("CELL", "HOME", "WORK");
        cards[1]!["name"]!.AsObject().ContainsKey("last_name").Should().BeFalse();
    }

    [Fact]
    public async Task P23_order_lists_its_items()
    {
        var m = (await MessageAsync("23-pywa-order-three-items.json", "order", "[Order] 3 items; 3 × HAMBURGER @ 30 ILS; 2 × FRENCH_FRIES @ 35 ILS; 2 × SODA @ 10 ILS")).Message;
        ((string?)m["payload"]!["order"]!["catalog_id"]).Should().Be("354160437058781");
        ((int?)m["payload"]!["order"]!["product_items"]![0]!["quantity"]).Should().Be(3);
    }

    [Fact]
    public async Task P24_list_reply_shows_title_and_description()
    {
        var m = (await MessageAsync("24-meta-interactive-list-reply.json", "interactive", "Priority Mail Express — Next Day to 2 Days", replyTo: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=")).Message;
        ((string?)m["payload"]!["interactive"]!["type"]).Should().Be("list_reply");
        ((string?)m["payload"]!["interactive"]!["list_reply"]!["id"]).Should().Be("priority_express");
    }

    [Fact]
    public async Task P25_button_reply_shows_the_button_title()
    {
        var m = (await MessageAsync("25-meta-interactive-button-reply.json", "interactive", "Cancel", replyTo: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA")).Message;
        ((string?)m["payload"]!["interactive"]!["button_reply"]!["id"]).Should().Be("cancel-button");
    }

    [Fact]
    public async Task P27_button_reply_with_a_business_scoped_user_id_keeps_it_on_the_contact()
    {
        // context.id is the message's own wamid in this fixture: it must not link the message to itself.
        var (tenant, m, conversation) = await MessageAsync("27-pywa-interactive-button-reply-bsuid.json", "interactive", "title", replyTo: "wamid.xyzxyz");
        ((string?)m["payload"]!["interactive"]!["button_reply"]!["id"]).Should().Be("callback_data");
        await AssertUserIdAsync(tenant, conversation, "US.13491208655302741918");
    }

    [Fact]
    public async Task P28_list_reply_without_description_shows_only_the_title()
    {
        var (tenant, m, conversation) = await MessageAsync("28-pywa-interactive-list-reply.json", "interactive", "title", replyTo: "wamid.xyzxyz");
        m["payload"]!["interactive"]!["list_reply"]!.AsObject().ContainsKey("description").Should().BeFalse();
        await AssertUserIdAsync(tenant, conversation, "US.13491208655302741918");
    }

    [Fact]
    public async Task P30_flow_completion_shows_the_answers_without_the_flow_token()
    {
        var m = (await MessageAsync("30-pywa-interactive-nfm-reply-flow.json", "interactive", "[Form reply] comment_text: Comment Text, delivery_rating: 4, purchase_rating: 2, recommend_radio: 0, cs_rating: 0", replyTo: "wamid.gvwegfretge==")).Message;
        var responseJson = (string?)m["payload"]!["interactive"]!["nfm_reply"]!["response_json"];
        ((string?)JsonNode.Parse(responseJson!)!["flow_token"]).Should().Be("AQAAAAACS5FpgQ_cAAAAAD0QI3s.", "response_json stays a JSON string inside the payload");
    }

    [Fact]
    public async Task P31_template_quick_reply_button_shows_its_text()
    {
        var m = (await MessageAsync("31-pywa-button-template-quick-reply.json", "button", "title", replyTo: "wamid.xyzxyz==")).Message;
        ((string?)m["payload"]!["button"]!["payload"]).Should().Be("callback_data");
    }

    [Fact]
    public async Task P34_identity_change_is_a_system_message_that_is_not_unread_and_opens_no_window()
    {
        var m = (await MessageAsync("34-pywa-system-customer-identity-changed.json", "system", "User identity changed")).Message;
        ((string?)m["payload"]!["system"]!["type"]).Should().Be("customer_identity_changed");
        ((bool?)m["payload"]!["identity"]!["acknowledged"]).Should().BeTrue();
        ((string?)m["payload"]!["identity"]!["hash"]).Should().Be("xyzxyz");
    }

    [Fact]
    public async Task P35_unsupported_edit_carries_its_error()
    {
        var m = (await MessageAsync("35-meta-unsupported-edit.json", "unsupported", "[Unsupported message: edit]", error: (131051, "Message type unknown"))).Message;
        ((string?)m["payload"]!["unsupported"]!["type"]).Should().Be("edit");
    }

    [Fact]
    public async Task P37_interactive_without_an_interactive_object_is_kept_and_the_value_error_recorded()
    {
        var (tenant, m, conversation) = await MessageAsync("37-pywa-interactive-with-value-error-131000.json", "interactive", "[Interactive reply]", replyTo: "wamid.gvwegfretge==");
        m["payload"]!.AsObject().ContainsKey("interactive").Should().BeFalse();

        await using var db = App.NewDbContext();
        var recorded = await db.ChannelEvents.SingleAsync(e => e.TenantId == tenant.Id);
        (recorded.Field, recorded.Event, recorded.Code, recorded.Title).Should().Be(("messages", "error", (int?)131000, "Something went wrong"));
        recorded.ChannelId.ToString().Should().Be((string?)conversation["channelId"]);
    }

    // ---- messages[] that need more than one file, or more than one message ----

    [Fact]
    public async Task P17_P18_a_reaction_shows_on_its_target_message_and_the_empty_emoji_removes_it()
    {
        var (tenant, phone, _) = await TenantWithChannelAsync();
        await PostAsync(tenant, Rewrite("02-pywa-text.json", phone, "\"wamid.xyzxyz\"", "\"wamid.yzxyzx=\""));
        await IngestAsync(tenant, phone, "17-pywa-reaction-emoji.json");

        var contactId = (string?)(await App.ConversationsAsync(tenant)).Single()!["contact"]!["id"];
        var reaction = (await MessageByWamidAsync(tenant, "wamid.yzxyzx="))["reactions"]!.AsArray().Should().ContainSingle().Subject!;
        ((string?)reaction["emoji"]).Should().Be("\ud83d\ude2e");
        ((string?)reaction["contactId"]).Should().Be(contactId);
        ((DateTimeOffset?)reaction["timestamp"]).Should().Be(Unix(1697044456));

        // The pywa fixtures give 18 the wamid and time of 17, which makes it a redelivery of 17: give it its own wamid.
        await PostAsync(tenant, Rewrite("18-pywa-reaction-removed-empty.json", phone, "\"wamid.xyzxyz\"", "\"wamid.unreaction\""));
        (await MessageByWamidAsync(tenant, "wamid.yzxyzx="))["reactions"]!.AsArray().Should().BeEmpty();
        (await App.MessagesAsync(tenant)).Select(m => (string?)m["type"]).Should().Equal("text", "reaction", "reaction");
        ((int?)(await App.ConversationsAsync(tenant)).Single()!["unreadCount"]).Should().Be(1, "reactions are not unread messages");
    }

    [Fact]
    public async Task P32_a_changed_number_moves_the_contact_to_the_new_number()
    {
        var (tenant, phone, _) = await TenantWithChannelAsync();
        await IngestAsync(tenant, phone, "02-pywa-text.json");
        await IngestAsync(tenant, phone, "32-pywa-system-user-changed-number.json");

        var conversation = (await App.ConversationsAsync(tenant)).Should().ContainSingle().Subject!;
        ((string?)conversation["contact"]!["waId"]).Should().Be("972912345678");
        ((string?)conversation["contact"]!["name"]).Should().Be("Test Name", "32 has no value.contacts, so the name stays");
        ((DateTimeOffset?)conversation["windowExpiresAt"]).Should().Be(Unix(1697043223).AddHours(24), "a system message opens no window");
        ((DateTimeOffset?)conversation["lastMessageAt"]).Should().Be(Unix(1753851315));
        ((int?)conversation["unreadCount"]).Should().Be(1);
        var system = (await App.MessagesAsync(tenant)).Should().ContainSingle(m => (string?)m["type"] == "system").Subject;
        ((string?)system["text"]).Should().Be("User A changed from 972987654321 to 972912345678");
        ((string?)system["payload"]!["system"]!["wa_id"]).Should().Be("972912345678");

        // The next message, from the new number, is the same customer in the same conversation.
        await PostAsync(tenant, Rewrite("02-pywa-text.json", phone, "972987654321", "972912345678", "\"1697043223\"", "\"1753851400\""));
        (await App.ConversationsAsync(tenant)).Should().ContainSingle();
        (await App.MessagesAsync(tenant)).Should().HaveCount(3);
    }

    [Fact]
    public async Task P39_two_changes_in_one_entry_with_the_same_placeholder_wamid_are_two_messages()
    {
        var (tenant, phone, _) = await TenantWithChannelAsync();
        await IngestAsync(tenant, phone, "39-netflie-two-changes-one-entry.json");

        var messages = await App.MessagesAsync(tenant);
        messages.Select(m => (string?)m["text"]).Should().Equal("MESSAGE_BODY", "MESSAGE_BODY2");
        messages.Select(m => (string?)m["wamid"]).Should().Equal("wamid.ID", "wamid.ID");
        messages.Select(m => (DateTimeOffset?)m["timestamp"]).Should().Equal(Unix(1669233778), Unix(1669233779));
        var conversation = (await App.ConversationsAsync(tenant)).Should().ContainSingle().Subject!;
        ((string?)conversation["contact"]!["waId"]).Should().Be("PHONE_NUMBER");
        ((int?)conversation["unreadCount"]).Should().Be(2);
        await AssertNothingQuarantinedAsync(tenant);
    }

    // ---- statuses[]: no outbound message exists yet, so each is kept until it appears ----

    [Theory]
    [InlineData("41-pywa-status-sent-cbp-service.json", "wamid.xyzxyz", "sent", 1698266945, "service", null, null, null)]
    [InlineData("43-pywa-status-read.json", "wamid.xyzxyz", "read", 1689380458, "service", null, null, null)]
    [InlineData("44-pywa-status-failed-130472.json", "wamid.xyzxyz", "failed", 1689380458, null, 130472, "User's number is part of an experiment", "Failed to send message because this user's phone number is part of an experiment")]
    [InlineData("46-meta-status-sent-pmp-marketing.json", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", "sent", 1750030073, "marketing", null, null, null)]
    [InlineData("47-meta-status-sent-v24-minimal.json", "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=", "sent", 1750030073, null, null, null, null)]
    [InlineData("49-meta-status-delivered-cbp-service.json", "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA", "delivered", 1750263773, "service", null, null, null)]
    public async Task P41_to_P49_each_status_is_recorded_with_metas_time_pricing_and_error(string file, string wamid, string status, long at, string? category, int? errorCode, string? errorTitle, string? errorDetails)
    {
        var (tenant, phone, channelId) = await TenantWithChannelAsync();
        await IngestAsync(tenant, phone, file);

        await using var db = App.NewDbContext();
        var update = await db.StatusUpdates.SingleAsync(s => s.TenantId == tenant.Id);
        update.ChannelId.ToString().Should().Be(channelId);
        update.Wamid.Should().Be(wamid);
        DeliveryStates.Name(update.Status).Should().Be(status);
        update.Timestamp.Should().Be(Unix(at));
        update.PricingCategory.Should().Be(category);
        update.ErrorCode.Should().Be(errorCode);
        update.ErrorTitle.Should().Be(errorTitle);
        update.ErrorDetails.Should().Be(errorDetails);
        (await db.Messages.CountAsync(m => m.TenantId == tenant.Id)).Should().Be(0, "a status makes no message");
        (await App.ConversationsAsync(tenant)).Should().BeEmpty();
        await AssertNothingQuarantinedAsync(tenant);
    }

    // ---- value-level errors and non-message fields: channel events ----

    [Theory]
    [InlineData("38-meta-value-errors-130429.json", Waba, false, "messages", "error", 130429, "Rate limit hit", null, "too many messages sent from this phone number", "active")]

    // 50: entry.id (57438975935) is a WABA of its own: rewritten to the channel's.
    [InlineData("50-pywa-template-status-approved.json", Waba, true, "message_template_status_update", "APPROVED", null, null, 1698268000L, "my_message_template", "active")]
    [InlineData("51-pywa-account-update-restriction.json", Waba, false, "account_update", "ACCOUNT_RESTRICTION", null, null, 1641330498L, "RESTRICTED_BIZ_INITIATED_MESSAGING", "restricted")]
    [InlineData("52-pywa-account-update-violation.json", Waba, false, "account_update", "ACCOUNT_VIOLATION", null, null, 1743451903L, "ADULT", "active")]

    // 54: entry.id is the partner's business (2949482758682047); the channel is found by waba_info.waba_id.
    [InlineData("54-pywa-account-update-partner-app-installed.json", "1191624265890717", false, "account_update", "PARTNER_APP_INSTALLED", null, null, 1745337174L, "2329417887457253", "active")]
    public async Task P38_and_P50_to_P54_become_channel_events_of_the_channel(
        string file, string channelWaba, bool rewriteEntryId, string field, string eventName, int? code, string? title, long? entryTime, string detail, string channelStatus)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var request = Builders.ChannelRequest(phone);
        request["wabaId"] = channelWaba;
        var channelId = (string?)(await App.CreateChannelAsync(tenant, request))["id"];

        await PostAsync(tenant, Payloads.ForChannel(file, phone, rewriteEntryId ? channelWaba : null));

        await AssertNothingQuarantinedAsync(tenant);
        await using var db = App.NewDbContext();
        var recorded = await db.ChannelEvents.SingleAsync(e => e.TenantId == tenant.Id);
        (recorded.Field, recorded.Event, recorded.Code, recorded.Title).Should().Be((field, eventName, code, title));
        recorded.ChannelId.ToString().Should().Be(channelId);
        recorded.Details.Should().Contain(detail);
        if (entryTime is not null)
        {
            recorded.OccurredAt.Should().Be(Unix(entryTime.Value), "Meta's entry.time");
        }

        using var client = App.ClientWithKey(tenant.ApiKey);
        var channel = await (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels/{channelId}")).ReadJsonAsync();
        ((string?)channel["status"]).Should().Be(channelStatus);
        (await App.ConversationsAsync(tenant)).Should().BeEmpty();
    }

    // ---- the whole corpus ----

    [Fact]
    public async Task The_whole_corpus_posted_to_one_number_is_processed_and_nothing_is_quarantined()
    {
        var (tenant, phone, _) = await TenantWithChannelAsync();
        var files = Payloads.Files.ToList();
        files.Should().HaveCount(37, "INDEX.md lists 37 files");

        foreach (var file in files)
        {
            (await App.PostSignedAsync(tenant.Id, Payloads.ForChannel(file, phone, Waba))).StatusCode.Should().Be(HttpStatusCode.OK, file);
        }

        await App.WaitForWebhooksAsync();
        await AssertNothingQuarantinedAsync(tenant);
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.CountAsync(e => e.TenantId == tenant.Id)).Should().Be(37);

        // 27 messages[] items, of which 18 repeats 17's wamid and time (a redelivery by Meta's rules).
        (await db.Messages.CountAsync(m => m.TenantId == tenant.Id)).Should().Be(26);
        (await App.MessagesAsync(tenant)).Should().HaveCount(26);

        // 41/43/44: sent, read, failed of one wamid; 46/47: the same sent twice; 49: delivered.
        (await db.StatusUpdates.CountAsync(s => s.TenantId == tenant.Id)).Should().Be(5);
        (await db.ChannelEvents.Where(e => e.TenantId == tenant.Id).Select(e => e.Event).ToListAsync())
            .Should().BeEquivalentTo(["error", "error", "APPROVED", "ACCOUNT_RESTRICTION", "ACCOUNT_VIOLATION", "PARTNER_APP_INSTALLED"]);
    }

    // ---- helpers ----

    private sealed record Ingested(TestTenant Tenant, JsonObject Message, JsonNode Conversation);

    /// <summary>
    /// Ingests one file into a new tenant and checks what every inbound message must be: its type and text,
    /// Meta's id and time, the payload exactly as sent, forward/reply/media/error as given (none by default),
    /// and its conversation: the sender as contact, last message and window from Meta's time, unread count.
    /// </summary>
    private async Task<Ingested> MessageAsync(string file, string type, string text, string? forwarded = null, string? replyTo = null, string? mimeType = null, (int Code, string Title)? error = null)
    {
        var (tenant, phone, channelId) = await TenantWithChannelAsync();
        await IngestAsync(tenant, phone, file);
        var value = JsonNode.Parse(Payloads.Read(file))!["entry"]![0]!["changes"]![0]!["value"]!;
        var original = value["messages"]![0]!;
        var at = Unix(long.Parse((string)original["timestamp"]!, CultureInfo.InvariantCulture));

        var m = (await App.MessagesAsync(tenant)).Should().ContainSingle().Subject;
        ((string?)m["type"]).Should().Be(type);
        ((string?)m["text"]).Should().Be(text);
        ((string?)m["direction"]).Should().Be("inbound");
        ((string?)m["status"]).Should().Be("received");
        ((string?)m["wamid"]).Should().Be((string?)original["id"]);
        ((DateTimeOffset?)m["timestamp"]).Should().Be(at);
        JsonNode.DeepEquals(m["payload"], original).Should().BeTrue("the payload is the message object exactly as WhatsApp sent it");
        ((bool?)m["erased"]).Should().BeFalse();
        ((string?)m["forwarded"]).Should().Be(forwarded);
        ((string?)m["replyTo"]?["wamid"]).Should().Be(replyTo);
        ((string?)m["replyTo"]?["messageId"]).Should().BeNull("the quoted message is not stored here");
        m["reactions"]!.AsArray().Should().BeEmpty();
        ((int?)m["error"]?["code"]).Should().Be(error?.Code);
        ((string?)m["error"]?["title"]).Should().Be(error?.Title);
        if (mimeType is null)
        {
            m["media"].Should().BeNull();
        }
        else
        {
            // No Graph API here: the fetch state is not asserted, only what the webhook said.
            ((string?)m["media"]!["kind"]).Should().Be(type);
            ((string?)m["media"]!["mimeType"]).Should().Be(mimeType);
            await using var db = App.NewDbContext();
            var stored = await db.MediaObjects.SingleAsync(o => o.TenantId == tenant.Id);
            stored.Id.ToString().Should().Be((string?)m["media"]!["id"]);
            stored.MetaMediaId.Should().Be((string?)original[type]!["id"]);
            stored.Sha256.Should().Be((string?)original[type]!["sha256"]);
        }

        var conversation = (await App.ConversationsAsync(tenant)).Should().ContainSingle().Subject!;
        ((string?)conversation["id"]).Should().Be((string?)m["conversationId"]);
        ((string?)conversation["channelId"]).Should().Be(channelId);
        ((string?)conversation["status"]).Should().Be("open");
        ((string?)conversation["contact"]!["waId"]).Should().Be((string?)original["from"]);
        ((string?)conversation["contact"]!["name"]).Should().Be((string?)value["contacts"]![0]!["profile"]!["name"]);
        ((DateTimeOffset?)conversation["lastMessageAt"]).Should().Be(at);
        ((DateTimeOffset?)conversation["windowExpiresAt"]).Should().Be(type == "system" ? null : at.AddHours(24));
        ((int?)conversation["unreadCount"]).Should().Be(type is "reaction" or "system" ? 0 : 1);
        await AssertNothingQuarantinedAsync(tenant);
        return new Ingested(tenant, m, conversation);
    }

    private async Task AssertUserIdAsync(TestTenant tenant, JsonNode conversation, string userId)
    {
        await using var db = App.NewDbContext();
        var found = await App.Services.GetRequiredService<ContactDirectory>().FindAsync(db, tenant.Id, null, userId, default);
        found.Should().NotBeNull("the business-scoped user id finds the contact");
        found!.Id.ToString().Should().Be((string?)conversation["contact"]!["id"]);
    }

    private async Task<JsonObject> MessageByWamidAsync(TestTenant tenant, string wamid) =>
        (await App.MessagesAsync(tenant)).Single(m => (string?)m["wamid"] == wamid);

    /// <summary>The file routed to <paramref name="phone"/>, with textual replacements (pairs of from, to).</summary>
    private static byte[] Rewrite(string file, string phone, params string[] swaps) =>
        Encoding.UTF8.GetBytes(swaps.Chunk(2).Aggregate(Encoding.UTF8.GetString(Payloads.ForChannel(file, phone)), (json, swap) => json.Replace(swap[0], swap[1], StringComparison.Ordinal)));

    private static DateTimeOffset Unix(long seconds) => DateTimeOffset.FromUnixTimeSeconds(seconds);

    private Task IngestAsync(TestTenant tenant, string phone, string file) => PostAsync(tenant, Payloads.ForChannel(file, phone));

    private async Task PostAsync(TestTenant tenant, byte[] body)
    {
        (await App.PostSignedAsync(tenant.Id, body)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
    }

    private async Task AssertNothingQuarantinedAsync(TestTenant tenant)
    {
        await using var db = App.NewDbContext();
        (await db.WebhookEvents.Where(e => e.TenantId == tenant.Id).Select(e => new { e.State, e.Reason }).ToListAsync())
            .Should().NotBeEmpty().And.OnlyContain(e => e.State == WebhookEventState.Processed && e.Reason == null);
    }

    private async Task<(TestTenant Tenant, string Phone, string ChannelId)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        var channel = await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone, (string)channel["id"]!);
    }
}

public sealed class PayloadCorpusTests_Sqlite(SqliteAppFixture fixture) : PayloadCorpusTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PayloadCorpusTests_Postgres(PostgresAppFixture fixture) : PayloadCorpusTests(fixture), IClassFixture<PostgresAppFixture>;
