using System.Text.Json;
using Switchboard.Features.Outbound;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Dashboard;

/// <summary>
/// Each message type of the real payload corpus becomes the view model the conversation view renders:
/// the payload is read on the server, in one place, never inside a component.
/// </summary>
public sealed class MessageBodiesTests
{
    [Fact]
    public void Text_keeps_its_body()
    {
        Inbound("02-pywa-text.json").Should().Be(new TextBody("Body Text"));
    }

    [Fact]
    public void An_image_is_media_without_a_caption()
    {
        Inbound("10-pywa-image.json").Should().Be(new MediaBody(MediaKind.Image, null, null, false));
    }

    [Fact]
    public void A_video_has_its_caption()
    {
        Inbound("11-pywa-video-forwarded-caption.json").Should().Be(new MediaBody(MediaKind.Video, "caption", null, false));
    }

    [Fact]
    public void A_document_has_its_file_name_and_caption()
    {
        Inbound("12-pywa-document-forwarded-caption.json").Should().Be(new MediaBody(MediaKind.Document, "caption", "filename.pdf", false));
    }

    [Fact]
    public void An_audio_file_is_not_a_voice_note()
    {
        Inbound("13-pywa-audio-file.json").Should().Be(new MediaBody(MediaKind.Audio, null, null, false));
    }

    [Fact]
    public void A_voice_note_says_so()
    {
        var body = MessageBodies.Read("audio", outbound: false, "[Voice message]", Json("""{"type":"audio","audio":{"id":"1","voice":true}}"""));

        body.Should().Be(new MediaBody(MediaKind.Audio, null, null, true));
    }

    [Fact]
    public void A_sticker_is_shown_like_an_image()
    {
        Inbound("15-pywa-sticker-static.json").Should().Be(new MediaBody(MediaKind.Sticker, null, null, false));
    }

    [Fact]
    public void A_reaction_has_its_emoji_and_a_removed_reaction_none()
    {
        Inbound("17-pywa-reaction-emoji.json").Should().Be(new ReactionBody("😮"));
        Inbound("18-pywa-reaction-removed-empty.json").Should().Be(new ReactionBody(""));
    }

    [Fact]
    public void A_location_has_its_coordinates_as_written_and_a_map_link()
    {
        var location = Inbound("20-pywa-location-current.json").Should().BeOfType<LocationBody>().Subject;

        location.Should().Be(new LocationBody(null, null, "12.25089", "43.90539"));
        location.Coordinates.Should().Be("12.25089, 43.90539");
        location.MapUrl.Should().Be("https://www.openstreetmap.org/?mlat=12.25089&mlon=43.90539#map=16/12.25089/43.90539");
    }

    [Fact]
    public void Contact_cards_have_names_and_typed_phones()
    {
        var contacts = Inbound("22-pywa-contacts-three-cards.json").Should().BeOfType<ContactsBody>().Subject;

        contacts.Cards.Select(c => c.Name).Should().Equal("Chandler Bing", "Monica", "Rachel Green");
        contacts.Cards[0].Phones.Should().Equal("+1 555-555-5555 (cell)");
    }

    [Fact]
    public void An_order_lists_its_items()
    {
        var order = Inbound("23-pywa-order-three-items.json").Should().BeOfType<OrderBody>().Subject;

        order.Items.Should().Equal(new OrderItem("HAMBURGER", "3", "30", "ILS"), new OrderItem("FRENCH_FRIES", "2", "35", "ILS"), new OrderItem("SODA", "2", "10", "ILS"));
        order.Text.Should().BeEmpty();
    }

    [Fact]
    public void A_list_reply_is_a_choice_with_the_rows_description()
    {
        Inbound("24-meta-interactive-list-reply.json").Should().Be(new ChoiceBody("Priority Mail Express — Next Day to 2 Days", "Next Day to 2 Days"));
    }

    [Fact]
    public void A_button_reply_is_a_choice()
    {
        Inbound("25-meta-interactive-button-reply.json").Should().Be(new ChoiceBody("Cancel", null));
        Inbound("31-pywa-button-template-quick-reply.json").Should().Be(new ChoiceBody("title", null));
    }

    [Fact]
    public void A_system_message_is_a_notice_with_its_text()
    {
        Inbound("32-pywa-system-user-changed-number.json").Should().Be(new NoticeBody("System message", "User A changed from 972987654321 to 972912345678"));
    }

    [Fact]
    public void An_unsupported_message_says_whatsapp_does_not_support_it()
    {
        Inbound("35-meta-unsupported-edit.json").Should().Be(new NoticeBody("Message type not supported by WhatsApp's API", "[Unsupported message: edit]"));
    }

    [Fact]
    public void A_type_newer_than_this_code_is_named()
    {
        MessageBodies.Read("poll", outbound: false, "[Unsupported message type: poll]", Json("""{"type":"poll","poll":{}}"""))
            .Should().Be(new NoticeBody("A “poll” message", "[Unsupported message type: poll]"));
    }

    [Fact]
    public void Reply_buttons_the_business_sent_are_listed()
    {
        var request = new SendRequest("buttons", "Pick one", null, null, null, null, null, null, [new SendButton("a", "Yes"), new SendButton("b", "No")], null);

        var body = MessageBodies.Read("interactive", outbound: true, "Pick one", Sent(request));

        body.Should().BeOfType<SentButtonsBody>().Which.Buttons.Should().Equal("Yes", "No");
    }

    [Fact]
    public void A_list_the_business_sent_shows_its_button()
    {
        var request = new SendRequest("list", "Choose a delivery", null, null, null, null, null, null, null,
            new SendList("Options", [new SendListSection("Speed", [new SendListRow("fast", "Fast", null)])]));

        var body = MessageBodies.Read("interactive", outbound: true, "Choose a delivery", Sent(request));

        var sent = body.Should().BeOfType<SentButtonsBody>().Subject;
        sent.Text.Should().Be("Choose a delivery");
        sent.Buttons.Should().Equal("☰ Options");
    }

    [Fact]
    public void A_message_without_a_payload_still_has_a_body()
    {
        MessageBodies.Read("image", outbound: true, "[Image]", null).Should().Be(new MediaBody(MediaKind.Image, null, null, false));
        MessageBodies.Read("location", outbound: false, "[Location]", null).Should().Be(new LocationBody(null, null, "", ""));
    }

    /// <summary>The corpus file's message as stored: the message object is the payload, the renderer's text is the text.</summary>
    private static MessageBody Inbound(string file)
    {
        using var document = JsonDocument.Parse(Payloads.Read(file));
        var message = document.RootElement.GetProperty("entry")[0].GetProperty("changes")[0].GetProperty("value").GetProperty("messages")[0].Clone();
        return MessageBodies.Read(message.GetProperty("type").GetString()!, outbound: false, MessageRenderer.Render(message), message);
    }

    private static JsonElement Sent(SendRequest request) =>
        Json(GraphRequests.Build(request, new GraphRequests.Recipient("15550001111", null), null, null).ToJsonString());

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
