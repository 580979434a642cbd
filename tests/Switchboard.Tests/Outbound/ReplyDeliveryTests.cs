using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Outbound;
using Switchboard.Tests.Infrastructure;
using Answer = Switchboard.Tests.Infrastructure.FakeGraphApi.SendAnswer;

namespace Switchboard.Tests.Outbound;

/// <summary>What the sender does with each kind of answer: retry, fail, pause, or never resend.</summary>
public abstract class ReplyDeliveryTests(OutboundFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    private FakeGraphApi Graph => fixture.Graph;

    [Theory]
    [InlineData(131047, "Re-engagement message")]
    [InlineData(131026, "Message undeliverable")]
    [InlineData(368, "Temporarily blocked for policies violations")]
    [InlineData(131053, "Media upload error")]
    public async Task Meta_errors_fail_the_reply_with_code_and_title_after_one_request(int code, string title)
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        ScriptFor(chat, _ => Answer.Error(400, code, title));

        var failed = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = "hi" }));

        failed.Status.Should().Be(DeliveryState.Failed);
        failed.ErrorCode.Should().Be(code);
        failed.ErrorTitle.Should().Be(title);
        SendsTo(chat).Should().Be(1);
        var message = (await App.MessagesAsync(chat.Tenant)).Single(m => m["id"]!.GetValue<Guid>() == failed.Id);
        message["status"]!.GetValue<string>().Should().Be("failed");
        message["error"]!["code"]!.GetValue<int>().Should().Be(code);
        message["error"]!["fix"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace("every common code comes with a suggested fix");
    }

    [Fact]
    public async Task A_media_upload_error_fails_the_reply_without_sending_it()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        Graph.UploadAnswer = u => u.PhoneNumberId == chat.Phone ? Answer.Error(400, 131053, "Media upload error") : Answer.Uploaded("1479537139650973");

        var failed = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "document", media = new { data = "JVBERi0xLjQK", mimeType = "application/pdf", fileName = "invoice.pdf" } }));

        failed.Status.Should().Be(DeliveryState.Failed);
        failed.ErrorCode.Should().Be(131053);
        SendsTo(chat).Should().Be(0);
    }

    [Theory]
    [InlineData(429, 130429)]
    [InlineData(400, 80007)]
    [InlineData(503, 131016)]
    public async Task When_meta_says_retry_the_reply_is_retried_and_sent_once(int status, int code)
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var calls = 0;
        ScriptFor(chat, _ => Interlocked.Increment(ref calls) == 1 ? Answer.Error(status, code, "Rate limit hit") : Answer.Accept());

        var sent = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = "retry me" }));

        sent.Wamid.Should().NotBeNull();
        SendsTo(chat).Should().Be(2);
    }

    [Fact]
    public async Task A_connection_dropped_after_the_request_was_sent_leaves_the_outcome_unknown_with_one_request_only()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        ScriptFor(chat, _ => Answer.DropConnection());

        var unknown = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = "did it arrive?" }));
        await Task.Delay(500);

        unknown.Status.Should().Be(DeliveryState.Unknown);
        unknown.Wamid.Should().BeNull();
        SendsTo(chat).Should().Be(1, "an outcome nobody knows is never resent automatically");
        await using var db = App.NewDbContext();
        (await db.OutboxItems.SingleAsync(o => o.MessageId == unknown.Id)).State.Should().Be(OutboxState.Unknown);
    }

    [Fact]
    public async Task A_server_error_without_metas_error_body_leaves_the_outcome_unknown()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        ScriptFor(chat, _ => new Answer(500, "<html>Internal Server Error</html>"));

        var unknown = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = "did Meta act on it?" }));

        unknown.Status.Should().Be(DeliveryState.Unknown, "a bare 500 does not say whether the message went out");
        SendsTo(chat).Should().Be(1);
    }

    [Fact]
    public async Task An_upload_that_keeps_failing_ends_as_failed_after_the_last_attempt()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var uploads = 0;
        var previous = Graph.UploadAnswer;
        Graph.UploadAnswer = u =>
        {
            if (u.PhoneNumberId != chat.Phone)
            {
                return previous(u);
            }

            Interlocked.Increment(ref uploads);
            return new Answer(503, "{}");
        };

        var failed = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "image", media = new { data = "/9j/4AAQ", mimeType = "image/jpeg" } }));

        failed.Status.Should().Be(DeliveryState.Failed);
        uploads.Should().Be(3, "the fixture allows three attempts");
        SendsTo(chat).Should().Be(0);
    }

    [Fact]
    public async Task An_agent_can_choose_to_resend_a_reply_whose_outcome_is_unknown()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var calls = 0;
        ScriptFor(chat, _ => Interlocked.Increment(ref calls) == 1 ? Answer.Hang(TimeSpan.FromSeconds(10)) : Answer.Accept("wamid.after-resend"));
        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "slow" });
        (await chat.WaitForOutcomeAsync(id)).Status.Should().Be(DeliveryState.Unknown, "the call timed out");
        using var client = App.ClientWithKey(chat.Tenant.ApiKey);

        var resend = await client.PostAsync($"/api/v1/tenants/{chat.Tenant.Id}/conversations/{chat.ConversationId}/messages/{id}/resend", null);

        resend.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await chat.WaitForOutcomeAsync(id, m => m.Wamid is not null)).Wamid.Should().Be("wamid.after-resend");
        SendsTo(chat).Should().Be(2);
        (await client.PostAsync($"/api/v1/tenants/{chat.Tenant.Id}/conversations/{chat.ConversationId}/messages/{id}/resend", null))
            .StatusCode.Should().Be(HttpStatusCode.Conflict, "a reply Meta accepted is not sent again");
    }

    [Fact]
    public async Task An_expired_token_pauses_the_number_until_the_token_is_rotated_then_the_reply_goes_out()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        ScriptFor(chat, sent => sent.Authorization == "Bearer EAAG-access-token-0123456789" ? Answer.Error(401, 190, "Error validating access token", 463) : Answer.Accept());
        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "waiting for a token" });
        using var admin = App.ClientWithKey(chat.Tenant.ApiKey);
        var channelId = (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{chat.Tenant.Id}/channels"))!["items"]![0]!["id"]!.GetValue<string>();

        await WaitUntilAsync(async () => (await ChannelStatusAsync(chat)) == ChannelStatus.NeedsReauthorization);
        (await admin.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{chat.Tenant.Id}/channels/{channelId}"))!["status"]!.GetValue<string>().Should().Be("needs_reauthorization");
        (await chat.WaitForOutcomeAsync(id, _ => true)).Status.Should().Be(DeliveryState.Queued, "the reply waits; it is not failed");

        (await admin.PostAsJsonAsync($"/api/v1/tenants/{chat.Tenant.Id}/channels/{channelId}/credentials", new { accessToken = "EAAG-a-fresh-token-42" })).EnsureSuccessStatusCode();

        (await chat.WaitForOutcomeAsync(id, m => m.Wamid is not null)).Status.Should().Be(DeliveryState.Queued);
        (await ChannelStatusAsync(chat)).Should().Be(ChannelStatus.Active);
        Graph.Sends.Last(s => s.PhoneNumberId == chat.Phone).Authorization.Should().Be("Bearer EAAG-a-fresh-token-42");
    }

    [Fact]
    public async Task The_pair_rate_limit_backs_off_that_customer_and_then_delivers()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var calls = 0;
        ScriptFor(chat, _ => Interlocked.Increment(ref calls) == 1 ? Answer.Error(400, 131056, "(Business Account, Consumer Account) pair rate limit hit") : Answer.Accept());

        var sent = await chat.WaitForOutcomeAsync(await chat.ReplyAcceptedAsync(new { type = "text", text = "not so fast" }));

        sent.Wamid.Should().NotBeNull();
        SendsTo(chat).Should().Be(2);
        var gap = Graph.Sends.Where(s => s.PhoneNumberId == chat.Phone).Select(s => s.AtTicks).ToList();
        (gap[1] - gap[0]).Should().BeGreaterThanOrEqualTo(900, "Meta asks for 4^0 = 1 s before trying that customer again");
    }

    [Fact]
    public async Task A_reply_failed_by_a_status_webhook_shows_metas_details_what_the_code_means_and_what_to_do()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "are you there?" });
        var wamid = (await chat.WaitForOutcomeAsync(id)).Wamid!;
        const string details = "Message failed to send because more than 24 hours have passed since the customer last replied to this number.";

        await App.PostSignedAsync(chat.Tenant.Id, WebhookPayloads.Statuses(chat.Phone,
            new WebhookPayloads.Status(wamid, "failed", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 131047, "Re-engagement message", details)));
        await App.WaitForWebhooksAsync();

        var error = (await App.MessagesAsync(chat.Tenant)).Single(m => m["id"]!.GetValue<Guid>() == id)["error"]!;
        error["code"]!.GetValue<int>().Should().Be(131047);
        error["details"]!.GetValue<string>().Should().Be(details);
        error["meaning"]!.GetValue<string>().Should().Contain("24 hours");
        error["fix"]!.GetValue<string>().Should().Contain("customer to write again");
    }

    [Fact]
    public async Task Statuses_move_a_sent_reply_through_delivered_and_read()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "tick tick" });
        var wamid = (await chat.WaitForOutcomeAsync(id)).Wamid!;

        foreach (var (state, at) in new[] { ("sent", 1L), ("read", 3L), ("delivered", 2L) })
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            await App.PostSignedAsync(chat.Tenant.Id, WebhookPayloads.Statuses(chat.Phone, new WebhookPayloads.Status(wamid, state, now + at)));
        }

        await App.WaitForWebhooksAsync();
        (await App.MessagesAsync(chat.Tenant)).Single(m => m["id"]!.GetValue<Guid>() == id)["status"]!.GetValue<string>().Should().Be("read");
    }

    [Fact]
    public async Task A_status_that_arrives_before_metas_answer_is_recorded_is_applied_and_the_server_keeps_accepting_webhooks()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var wamid = "wamid.early" + Guid.NewGuid().ToString("N");

        // Meta's status webhook can overtake its answer to the send: processed first, it finds no message with the wamid.
        ScriptFor(chat, _ =>
        {
            Task.Run(async () =>
            {
                await App.PostSignedAsync(chat.Tenant.Id, WebhookPayloads.Statuses(chat.Phone, new WebhookPayloads.Status(wamid, "delivered", DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
                await App.WaitForWebhooksAsync();
            }).GetAwaiter().GetResult();
            return Answer.Accept(wamid);
        });

        var id = await chat.ReplyAcceptedAsync(new { type = "text", text = "overtaken" });
        (await chat.WaitForOutcomeAsync(id)).Wamid.Should().Be(wamid);

        // Recording the wamid applies the early status (ADR 0014), and the writers still take turns afterwards.
        await Eventually.PollAsync<string>(async () =>
        {
            var status = (await App.MessagesAsync(chat.Tenant)).Single(m => m["id"]!.GetValue<Guid>() == id)["status"]!.GetValue<string>();
            return status == "delivered" ? status : null;
        });
        var later = await Chat.StartAsync(App, customer: NewCustomer(), tenant: chat.Tenant, phone: chat.Phone);
        later.ConversationId.Should().NotBeEmpty();
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_first_reply_and_sends_nothing_more()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());
        var key = "retry-" + Guid.NewGuid();

        var first = await chat.ReplyAcceptedAsync(new { type = "text", text = "only once" }, key);
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => chat.ReplyAsync(new { type = "text", text = "only once" }, key)));
        await chat.WaitForOutcomeAsync(first);
        var different = await chat.ReplyAsync(new { type = "text", text = "something else" }, key);

        foreach (var response in again)
        {
            response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            (await response.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>().Should().Be(first);
        }

        different.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        await Task.Delay(300);
        SendsTo(chat).Should().Be(1);
        await using var db = App.NewDbContext();
        (await db.Messages.CountAsync(m => m.ConversationId == chat.ConversationId && m.Direction == MessageDirection.Outbound)).Should().Be(1);
    }

    [Fact]
    public async Task Outside_the_24_hour_window_a_reply_is_422_and_nothing_is_queued()
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer(), timestamp: DateTimeOffset.UtcNow.AddHours(-25).ToUnixTimeSeconds());

        var response = await chat.ReplyAsync(new { type = "text", text = "too late" });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        problem["type"]!.GetValue<string>().Should().EndWith("/window-closed");
        await using var db = App.NewDbContext();
        (await db.OutboxItems.CountAsync(o => o.ContactId == db.Set<Conversation>().Single(c => c.Id == chat.ConversationId).ContactId)).Should().Be(0);
        (await db.Messages.CountAsync(m => m.ConversationId == chat.ConversationId)).Should().Be(1, "only the customer's message");
    }

    [Theory]
    [MemberData(nameof(InvalidReplies))]
    public async Task Replies_beyond_metas_limits_are_400_with_field_errors_and_queue_nothing(object body, string field)
    {
        var chat = await Chat.StartAsync(App, customer: NewCustomer());

        var response = await chat.ReplyAsync(body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        await using var db = App.NewDbContext();
        (await db.Messages.CountAsync(m => m.ConversationId == chat.ConversationId)).Should().Be(1);
    }

    public static TheoryData<object, string> InvalidReplies() => new()
    {
        { new { type = "text", text = new string('a', 4097) }, "text" },
        { new { type = "text", text = "" }, "text" },
        { new { type = "text" }, "text" },
        { new { type = "carrier-pigeon", text = "hi" }, "type" },
        { new { text = "no type" }, "type" },
        { new { type = "buttons", text = "pick", buttons = new[] { B("a"), B("b"), B("c"), B("d") } }, "buttons" },
        { new { type = "buttons", text = "pick", buttons = new[] { new { id = "a", title = "A title longer than 20" } } }, "buttons[0].title" },
        { new { type = "buttons", text = "pick", buttons = new[] { B("same"), B("same") } }, "buttons" },
        { new { type = "list", text = "pick", list = new { button = "Go", sections = new[] { new { title = "S", rows = Enumerable.Range(0, 11).Select(i => new { id = $"r{i}", title = "Row" }).ToArray() } } } }, "list.sections" },
        { new { type = "image", media = new { data = "AAAA", mimeType = "image/gif" } }, "media.mimeType" },
        { new { type = "image", media = new { data = "%%%", mimeType = "image/png" } }, "media.data" },
        { new { type = "document", media = new { data = "AAAA", mimeType = "application/pdf" } }, "media.fileName" },
        { new { type = "image", text = new string('c', 1025), media = new { data = "AAAA", mimeType = "image/png" } }, "text" },
        { new { type = "reaction", reaction = new { emoji = "👍" } }, "reaction.messageId" },
        { new { type = "text", text = "quote", replyToMessageId = Guid.NewGuid() }, "replyToMessageId" },
    };

    private static object B(string id) => new { id, title = id.ToUpperInvariant() };

    private void ScriptFor(Chat chat, Func<FakeGraphApi.SentRequest, Answer> answer)
    {
        var previous = Graph.Answer;
        Graph.Answer = sent => sent.PhoneNumberId == chat.Phone ? answer(sent) : previous(sent);
    }

    private int SendsTo(Chat chat) => Graph.Sends.Count(s => s.PhoneNumberId == chat.Phone);

    private async Task<ChannelStatus> ChannelStatusAsync(Chat chat)
    {
        await using var db = App.NewDbContext();
        return await db.Channels.Where(c => c.PhoneNumberId == chat.Phone).Select(c => c.Status).SingleAsync();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        (await condition()).Should().BeTrue();
    }

    private static string NewCustomer() => "1650" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
}

public sealed class ReplyDeliveryTests_Sqlite(SqliteOutboundFixture fixture) : ReplyDeliveryTests(fixture), IClassFixture<SqliteOutboundFixture>;

public sealed class ReplyDeliveryTests_Postgres(PostgresOutboundFixture fixture) : ReplyDeliveryTests(fixture), IClassFixture<PostgresOutboundFixture>;
