using System.Net;
using System.Text.Json.Nodes;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Outbound;

/// <summary>The requests Switchboard sends to the Graph API are Meta's published examples, field for field.</summary>
public abstract class ReplyRequestTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    [Fact]
    public async Task A_text_reply_with_link_preview_is_metas_example_01()
    {
        var chat = await Chat.StartAsync(App);

        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "As requested, here's the link to our latest product: https://www.meta.com/quest/quest-3/", previewUrl = true });
        var sent = await chat.WaitForOutcomeAsync(id);

        AssertSameJson(LastSend(chat.Phone), "01-text-preview-url.request.json");
        sent.Wamid.Should().StartWith("wamid.fake-");
        sent.Status.Should().Be(DeliveryState.Queued, "accepted is not sent: status webhooks move it on");
        LastSendAuthorization(chat.Phone).Should().Be("Bearer EAAG-access-token-0123456789");
    }

    [Fact]
    public async Task A_quoted_reply_is_metas_example_05()
    {
        var chat = await Chat.StartAsync(App, inboundWamid: "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA=");

        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "You're welcome, Pablo!", replyToMessageId = chat.InboundMessageId });
        await chat.WaitForOutcomeAsync(id);

        var expected = Fixture("05-contextual-reply-text.request.json");
        expected["text"]!["preview_url"] = false;
        JsonNode.DeepEquals(LastSend(chat.Phone), expected).Should().BeTrue(LastSend(chat.Phone).ToJsonString());
    }

    [Fact]
    public async Task A_reaction_is_metas_example_04_and_an_empty_emoji_removes_it()
    {
        var chat = await Chat.StartAsync(App, inboundWamid: "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQUZCMTY0MDc2MUYwNzBDNTY5MAA=");

        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "reaction", reaction = new { messageId = chat.InboundMessageId, emoji = "\U0001F600" } }));
        AssertSameJson(LastSend(chat.Phone), "04-reaction.request.json");

        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "reaction", reaction = new { messageId = chat.InboundMessageId, emoji = "" } }));
        LastSend(chat.Phone)["reaction"]!["emoji"]!.GetValue<string>().Should().BeEmpty();
    }

    [Fact]
    public async Task Reply_buttons_are_metas_example_03()
    {
        var chat = await Chat.StartAsync(App);

        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new
        {
            type = "buttons",
            text = "Hi Pablo! Your gardening workshop is scheduled for 9am tomorrow. Use the buttons if you need to reschedule. Thank you!",
            footer = "Lucky Shrub: Your gateway to succulents!™",
            buttons = new[] { new { id = "change-button", title = "Change" }, new { id = "cancel-button", title = "Cancel" } },
        }));

        // Meta's example has an image header; Switchboard's buttons take a text header, so compare without it.
        var expected = Fixture("03-interactive-reply-buttons.request.json");
        expected["interactive"]!.AsObject().Remove("header");
        JsonNode.DeepEquals(LastSend(chat.Phone), expected).Should().BeTrue(LastSend(chat.Phone).ToJsonString());
    }

    [Fact]
    public async Task An_image_is_uploaded_first_then_sent_by_media_id_as_in_metas_example_02()
    {
        var chat = await Chat.StartAsync(App);
        var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4 };

        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new
        {
            type = "image",
            text = "The best succulent ever?",
            media = new { data = Convert.ToBase64String(jpeg), mimeType = "image/jpeg" },
        }));

        Graph.Uploads.Should().Contain(u => u.PhoneNumberId == chat.Phone && u.Body == "messaging_product=whatsapp;file=file;type=image/jpeg;length=8");
        AssertSameJson(LastSend(chat.Phone), "02-image-by-media-id.request.json");
    }

    [Fact]
    public async Task A_sent_file_is_kept_sealed_and_served_back_from_the_businesss_own_copy()
    {
        var chat = await Chat.StartAsync(App);
        var pdf = "%PDF-1.4 a plan worth keeping %%EOF"u8.ToArray();

        var id = await chat.ReplyAcceptedAsync(new { type = "document", media = new { data = Convert.ToBase64String(pdf), mimeType = "application/pdf", fileName = "plan.pdf" } });

        using var client = App.ClientWithKey(chat.Tenant.ApiKey);
        var messages = await client.GetJsonAsync($"/api/v1/tenants/{chat.Tenant.Id}/conversations/{chat.ConversationId}/messages");
        var media = messages["items"]!.AsArray().Single(m => m!["id"]!.GetValue<Guid>() == id)!["media"]!;
        media["state"]!.GetValue<string>().Should().Be("stored", "the copy is there before WhatsApp has the file");
        var served = await client.GetByteArrayAsync($"/api/v1/tenants/{chat.Tenant.Id}/media/{media["id"]!.GetValue<Guid>()}");
        served.Should().Equal(pdf);

        var files = Directory.GetFiles(App.DataDirectory, "*", SearchOption.AllDirectories).Where(f => f.Contains(media["id"]!.GetValue<Guid>().ToString("N"), StringComparison.Ordinal)).ToList();
        files.Should().ContainSingle();
        Convert.ToHexString(await File.ReadAllBytesAsync(files[0])).Should().NotContain(Convert.ToHexString("a plan worth keeping"u8), "the copy is sealed like inbound media");

        using var other = App.ClientWithKey((await App.CreateTenantAsync()).ApiKey);
        (await other.GetAsync($"/api/v1/tenants/{chat.Tenant.Id}/media/{media["id"]!.GetValue<Guid>()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_list_message_has_metas_list_shape()
    {
        var chat = await Chat.StartAsync(App);

        await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new
        {
            type = "list",
            text = "Which shipping option do you prefer?",
            header = "Shipping",
            list = new { button = "Options", sections = new[] { new { title = "Speed", rows = new[] { new { id = "express", title = "Priority Mail Express", description = (string?)"Next Day to 2 Days" }, new { id = "ground", title = "Ground", description = (string?)null } } } } },
        }));

        JsonNode.DeepEquals(LastSend(chat.Phone)["interactive"], JsonNode.Parse("""
            {"type":"list","header":{"type":"text","text":"Shipping"},"body":{"text":"Which shipping option do you prefer?"},
             "action":{"button":"Options","sections":[{"title":"Speed","rows":[{"id":"express","title":"Priority Mail Express","description":"Next Day to 2 Days"},{"id":"ground","title":"Ground"}]}]}}
            """)).Should().BeTrue(LastSend(chat.Phone).ToJsonString());
    }

    [Fact]
    public async Task Reading_the_conversation_marks_the_newest_customer_message_read_with_typing_as_in_metas_example_06()
    {
        var chat = await Chat.StartAsync(App, inboundWamid: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA");
        using var client = App.ClientWithKey(chat.Tenant.ApiKey);

        var response = await client.PostAsync($"/api/v1/tenants/{chat.Tenant.Id}/conversations/{chat.ConversationId}/read", System.Net.Http.Json.JsonContent.Create(new { typing = true }));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await WaitUntilAsync(() => Graph.Sends.Any(s => s.PhoneNumberId == chat.Phone));
        AssertSameJson(LastSend(chat.Phone), "06-mark-read-with-typing-indicator.request.json");
        (await App.ConversationsAsync(chat.Tenant)).Single()!["unreadCount"]!.GetValue<int>().Should().Be(0);
    }

    private JsonNode LastSend(string phone) => JsonNode.Parse(Graph.Sends.Last(s => s.PhoneNumberId == phone).Body)!;

    private string? LastSendAuthorization(string phone) => Graph.Sends.Last(s => s.PhoneNumberId == phone).Authorization;

    private static JsonNode Fixture(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Payloads.Directory)!, "send", file)))!;

    private static void AssertSameJson(JsonNode actual, string file) =>
        JsonNode.DeepEquals(actual, Fixture(file)).Should().BeTrue($"the request should be {file} exactly, but was {actual.ToJsonString()}");

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        condition().Should().BeTrue();
    }
}

public sealed class ReplyRequestTests_Sqlite(SqliteOutboundFixture fixture) : ReplyRequestTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class ReplyRequestTests_Postgres(PostgresOutboundFixture fixture) : ReplyRequestTests(fixture), IClassFixture<PostgresOutboundFixture>;
