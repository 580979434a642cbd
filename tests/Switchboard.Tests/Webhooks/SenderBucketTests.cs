using System.Text;
using Switchboard.Features.Webhooks;
using Switchboard.Tests.Infrastructure;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Webhooks;

/// <summary>The customer's lock bucket read at acknowledgement (ADR 0062): one customer, one bucket; anything else, none.</summary>
public sealed class SenderBucketTests
{
    private static int? Of(string file) => SenderBucket.Of(Encoding.UTF8.GetBytes(Payloads.Read(file)));

    private static int? Of(byte[] body) => SenderBucket.Of(body);

    [Fact]
    public void A_customers_message_and_a_status_of_a_reply_to_that_customer_share_a_bucket()
    {
        // 27: a reply button from 972987654321 whose context names the business's number; 43: a read receipt for 972987654321.
        var message = Of("27-pywa-interactive-button-reply-bsuid.json");
        message.Should().NotBeNull();
        message.Should().BeInRange(0, ushort.MaxValue);
        Of("43-pywa-status-read.json").Should().Be(message, "the status's recipient is the message's sender");
        Of(Messages("1", Text("hi", from: "972987654321"))).Should().Be(message, "the business number in the button's context is not the sender");
    }

    [Fact]
    public void Every_message_and_status_of_the_corpus_with_one_customer_has_a_bucket_and_account_updates_have_none()
    {
        foreach (var file in Payloads.Files.Where(f => f.Contains("-status-", StringComparison.Ordinal) && !f.Contains("template", StringComparison.Ordinal)))
        {
            Of(file).Should().NotBeNull(file);
        }

        foreach (var file in new[] { "01-meta-text.json", "10-pywa-image.json", "24-meta-interactive-list-reply.json", "39-netflie-two-changes-one-entry.json" })
        {
            Of(file).Should().NotBeNull(file);
        }

        foreach (var file in Payloads.Files.Where(f => f.Contains("account-update", StringComparison.Ordinal) || f.Contains("template-status", StringComparison.Ordinal)))
        {
            Of(file).Should().BeNull(file);
        }
    }

    [Fact]
    public void A_batch_of_several_customers_or_a_message_without_a_sender_has_no_bucket()
    {
        // Buckets are 16 bits: find two numbers in different ones, as a batch of two customers would be.
        var first = Of(Messages("1", Text("a", from: "16505550001")));
        var other = Enumerable.Range(2, 50).Select(i => $"165055500{i:D2}").First(n => Of(Messages("1", Text("b", from: n))) != first);

        Of(Messages("1", Text("a", from: "16505550001"), Text("b", from: "16505550001"))).Should().Be(first, "one customer's two messages");
        Of(Messages("1", Text("a", from: "16505550001"), Text("b", from: other))).Should().BeNull("two customers");
        Of(Envelope([[Change("1", messages: [new { id = "wamid.1", timestamp = "1", type = "system", system = new { body = "changed" } }])]]))
            .Should().BeNull("no sender to lock");
    }

    [Fact]
    public void A_user_id_stands_in_for_a_missing_number_and_escapes_read_as_their_characters()
    {
        var byUserId = Of(Envelope([[Change("1", messages: [new { from_user_id = "US.13491208655302741918", id = "wamid.1", timestamp = "1", type = "text" }])]]));
        var statusByUserId = Of(Envelope([[Change("1", statuses: [new { id = "wamid.1", status = "read", timestamp = "1", recipient_user_id = "US.13491208655302741918" }])]]));
        byUserId.Should().NotBeNull().And.Be(statusByUserId);

        var escaped = Encoding.UTF8.GetBytes("""{"entry":[{"changes":[{"value":{"messages":[{"from":"\u0031\u0036505551234","id":"w"}]}}]}]}""");
        Of(escaped).Should().Be(Of(Messages("1", Text("x", from: "16505551234"))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from":"1""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from":16505551234}]}}]}]}""")]
    [InlineData("""{"entry":[{"changes":[{"value":{"messages":[{"from":"lone \udc00 surrogate"}]}}]}]}""")]
    public void A_body_that_is_not_a_webhook_has_no_bucket(string body) => Of(Encoding.UTF8.GetBytes(body)).Should().BeNull();

    [Fact]
    public void Mutated_real_payloads_never_throw()
    {
        var random = new Random(20261206);
        var bodies = Payloads.Files.Select(f => Encoding.UTF8.GetBytes(Payloads.Read(f))).ToList();
        for (var i = 0; i < 20_000; i++)
        {
            var body = (byte[])bodies[random.Next(bodies.Count)].Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var cut = random.Next(3) == 0 ? body[..random.Next(body.Length)] : body;
            FluentActions.Invoking(() => SenderBucket.Of(cut)).Should().NotThrow($"mutation {i}");
        }
    }
}
