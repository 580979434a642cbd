using System.Net;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Dashboard;

/// <summary>
/// Each WhatsApp message type, as Meta delivers it (the real payload corpus), renders in the
/// conversation view the way WhatsApp users expect (checked on the server-rendered page).
/// </summary>
public abstract class ConversationViewTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Theory]
    [InlineData("20-pywa-location-current.json", new[] { "data-testid=\"location\"", "openstreetmap.org/?mlat=12.25089", "data-testid=\"forwarded\"" })]
    [InlineData("22-pywa-contacts-three-cards.json", new[] { "data-testid=\"contact-cards\"", "Chandler" })]
    [InlineData("23-pywa-order-three-items.json", new[] { "data-testid=\"order\"", "<th>Qty</th>" })]
    [InlineData("12-pywa-document-forwarded-caption.json", new[] { "data-testid=\"document\"", "data-testid=\"forwarded\"", "caption" })]
    [InlineData("13-pywa-audio-file.json", new[] { "data-type=\"audio\"", "Fetching the file" })]
    [InlineData("25-meta-interactive-button-reply.json", new[] { "data-testid=\"choice\"" })]
    [InlineData("35-meta-unsupported-edit.json", new[] { "data-testid=\"fallback\"", "not supported" })]
    [InlineData("04-pywa-forwarded.json", new[] { "forwarded text", "data-testid=\"forwarded\"" })]
    public async Task A_message_type_renders_as_whatsapp_users_expect(string file, string[] expected)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        (await App.PostSignedAsync(tenant.Id, Payloads.ForChannel(file, phone))).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.WaitForWebhooksAsync();
        var conversation = (await App.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<Guid>();
        var agent = await App.CreateUserAsync(tenant, "agent");
        using var browser = await App.SignInAsync(agent);

        var html = await browser.Http.GetStringAsync($"/conversations/{conversation}");

        html.Should().Contain("data-testid=\"message\"");
        foreach (var marker in expected)
        {
            html.Should().Contain(marker, $"{file} renders with {marker}");
        }
    }

    [Fact]
    public async Task Another_tenants_conversation_is_not_found_and_shows_none_of_its_content()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(a, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(a.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("secret of tenant A")));
        await App.WaitForWebhooksAsync();
        var conversation = (await App.ConversationsAsync(a)).Single()!["id"]!.GetValue<Guid>();
        var userOfB = await App.CreateUserAsync(b, "admin");
        using var browser = await App.SignInAsync(userOfB);

        var html = await browser.Http.GetStringAsync($"/conversations/{conversation}");

        html.Should().Contain("data-testid=\"conversation-not-found\"").And.NotContain("secret of tenant A");
    }
}

public sealed class ConversationViewTests_Sqlite(SqliteAppFixture fixture) : ConversationViewTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ConversationViewTests_Postgres(PostgresAppFixture fixture) : ConversationViewTests(fixture), IClassFixture<PostgresAppFixture>;
