using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Outbound;

/// <summary>
/// A reply the sender could not turn into a Graph request is refused when it is posted (400 naming the
/// field); and should one reach the outbox anyway, the sender fails it visibly instead of leaving it queued.
/// </summary>
public abstract class UnsendableReplyTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    [Theory]
    [InlineData("document", "invoice\u0007.pdf")]
    [InlineData("document", "report\r\nContent-Type: text/html.pdf")]
    [InlineData("document", "tab\there.pdf")]
    [InlineData("document", "nul\u0000.pdf")]
    [InlineData("document", "quote\".pdf")]
    [InlineData("document", "../../etc/passwd")]
    [InlineData("document", "folder/file.pdf")]
    [InlineData("document", "C:\\Users\\file.pdf")]
    [InlineData("document", "..")]
    [InlineData("document", "invoice\u202Efdp.exe")]
    [InlineData("document", " padded.pdf ")]
    [InlineData("document", "LONG")]
    [InlineData("image", "photo\n.jpg")]
    [InlineData("image", "")]
    public async Task A_file_name_that_is_not_one_plain_line_is_a_400_naming_it_and_nothing_is_queued(string kind, string fileName)
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var name = fileName == "LONG" ? new string('a', 237) + ".pdf" : fileName;

        var response = await chat.ReplyAsync(Reply(kind, name));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.ReadJsonAsync();
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Equal("media.fileName");
        await using var db = App.NewDbContext();
        (await db.OutboxItems.CountAsync(o => o.TenantId == chat.Tenant.Id)).Should().Be(0);
    }

    [Theory]
    [InlineData("image/jpeg; name=\"unterminated")]
    [InlineData("image/jpeg\r\nX-Injected: 1")]
    [InlineData("image/jpeg; =x")]
    public async Task A_mime_type_the_upload_could_not_carry_is_a_400_naming_it(string mimeType)
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());

        var response = await chat.ReplyAsync(new { type = "image", media = new { data = Convert.ToBase64String([0xFF, 0xD8, 0xFF, 0xE0]), mimeType } });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().Equal("media.mimeType");
    }

    [Fact]
    public async Task A_plain_file_name_in_any_script_and_a_mime_type_with_parameters_still_go_out()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());

        var id = await chat.ReplyAcceptedAsync(new
        {
            type = "document",
            media = new { data = Convert.ToBase64String("%PDF-1.4"u8.ToArray()), mimeType = "application/pdf", fileName = "Résumé 2026 — 請求書 (final).pdf" },
        });
        var audio = await chat.ReplyAcceptedAsync(new { type = "audio", media = new { data = Convert.ToBase64String([1, 2, 3]), mimeType = "audio/ogg; codecs=opus" } });

        (await chat.WaitForOutcomeAsync(id)).Wamid.Should().NotBeNull();
        (await chat.WaitForOutcomeAsync(audio)).Wamid.Should().NotBeNull();
        Graph.Uploads.Should().Contain(u => u.PhoneNumberId == chat.Phone && u.Body.Contains("type=application/pdf", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("file-name")]
    [InlineData("mime-type")]
    public async Task A_queued_reply_the_sender_cannot_build_fails_visibly_instead_of_staying_queued(string broken)
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());

        // Hold the number's replies (as after an expired token) so that the outbox row can be broken before the sender sees it.
        await using (var db = App.NewDbContext())
        {
            await db.Channels.Where(c => c.PhoneNumberId == chat.Phone).ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChannelStatus.NeedsReauthorization));
        }

        var id = await chat.ReplyAcceptedAsync(Reply("document", "invoice.pdf"));
        await using (var db = App.NewDbContext())
        {
            // What an older version's validation let through, or a row written by hand: a value no multipart header can carry.
            var rows = broken == "file-name"
                ? await db.OutboxItems.Where(o => o.TenantId == chat.Tenant.Id && o.MessageId == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.UploadFileName, "in\"voice.pdf"))
                : await db.OutboxItems.Where(o => o.TenantId == chat.Tenant.Id && o.MessageId == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.UploadMimeType, "application/pdf; name=\"unterminated"));
            rows.Should().Be(1);
        }

        using var admin = App.ClientWithKey(chat.Tenant.ApiKey);
        var channelId = (await admin.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/tenants/{chat.Tenant.Id}/channels"))!["items"]![0]!["id"]!.GetValue<string>();
        (await admin.PostAsJsonAsync($"/api/v1/tenants/{chat.Tenant.Id}/channels/{channelId}/credentials", new { accessToken = "EAAG-access-token-0123456789" })).EnsureSuccessStatusCode();

        var message = await chat.WaitForOutcomeAsync(id);

        message.Status.Should().Be(DeliveryState.Failed);
        Graph.Uploads.Should().NotContain(u => u.PhoneNumberId == chat.Phone);
        Graph.Sends.Should().NotContain(s => s.PhoneNumberId == chat.Phone && !s.Body.Contains("\"status\":\"read\"", StringComparison.Ordinal));
    }

    private static object Reply(string kind, string fileName) => new
    {
        type = kind,
        media = kind == "image"
            ? new { data = Convert.ToBase64String([0xFF, 0xD8, 0xFF, 0xE0]), mimeType = "image/jpeg", fileName }
            : new { data = Convert.ToBase64String("%PDF-1.4"u8.ToArray()), mimeType = "application/pdf", fileName },
    };

    private static string NewCustomer() => "1650555" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class UnsendableReplyTests_Sqlite(SqliteOutboundFixture fixture) : UnsendableReplyTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class UnsendableReplyTests_Postgres(PostgresOutboundFixture fixture) : UnsendableReplyTests(fixture), IClassFixture<PostgresOutboundFixture>;
