using Switchboard.Dashboard.Inbox;

namespace Switchboard.Tests.Dashboard;

/// <summary>The inbox reads the addresses Blazor's navigation reports to open what they name without the server's rendering (ADR 0057).</summary>
public sealed class InboxAddressTests
{
    private static readonly Guid Conversation = Guid.Parse("0b9a3c1e-8f4d-4a57-9c61-2d7e5b8f1a30");
    private static readonly Guid Message = Guid.Parse("5e2f7a91-3c6b-4d08-8a1f-6b9c0e4d2f17");

    [Theory]
    [InlineData("")]
    [InlineData("?x=1")]
    [InlineData("#top")]
    public void The_list_address_names_no_conversation(string relative) =>
        InboxAddress.Parse(relative).Should().Be(new InboxAddress(null, null));

    [Fact]
    public void A_conversation_address_names_it_and_the_message_to_open_it_at()
    {
        InboxAddress.Parse($"conversations/{Conversation}").Should().Be(new InboxAddress(Conversation, null));
        InboxAddress.Parse($"conversations/{Conversation}?message={Message}").Should().Be(new InboxAddress(Conversation, Message));
        InboxAddress.Parse($"conversations/{Conversation}?message=nonsense").Should().Be(new InboxAddress(Conversation, null));
    }

    [Theory]
    [InlineData("admin/audit")]
    [InlineData("conversations/not-a-guid")]
    [InlineData("search?q=hello")]
    public void Other_pages_are_not_inbox_addresses(string relative) =>
        InboxAddress.Parse(relative).Should().BeNull();
}
