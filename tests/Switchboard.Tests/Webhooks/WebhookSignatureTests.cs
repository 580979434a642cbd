using System.Text;
using System.Text.RegularExpressions;
using Switchboard.Features.Webhooks;

namespace Switchboard.Tests.Webhooks;

public partial class WebhookSignatureTests
{
    private const string Secret = "YOUR_APP_SECRET";
    private const string Body = "Let's pretend this body is equal to the message object and can handle unicode characters like みどりいろ and J'ai mangé des pâtes";

    [Fact]
    public void Metas_test_vector_verifies_over_the_escaped_bytes_as_sent_on_the_wire()
    {
        // FACTS.md §2: Meta signs the JSON as it puts it on the wire, with non-ASCII escaped as \uXXXX.
        var wire = Encoding.ASCII.GetBytes(EscapeNonAscii(Body));
        var signature = WebhookSignature.Parse("sha256=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688")!;

        WebhookSignature.Verify(wire, signature, [Encoding.UTF8.GetBytes(Secret)]).Should().BeTrue();
        WebhookSignature.Verify(Encoding.UTF8.GetBytes(Body), signature, [Encoding.UTF8.GetBytes(Secret)]).Should().BeFalse("the decoded UTF-8 form is not what Meta signed");
        WebhookSignature.Sign(Encoding.UTF8.GetBytes(Body), Encoding.UTF8.GetBytes(Secret))
            .Should().Be("sha256=5ab50fefd5b7b7258964d9825904e7916acb73fe8030123871485627791ffbde");
    }

    [Fact]
    public void Any_of_several_candidate_secrets_may_match_and_none_else()
    {
        var body = "{\"a\":1}"u8.ToArray();
        var signature = WebhookSignature.Parse(WebhookSignature.Sign(body, "second"u8.ToArray()))!;

        WebhookSignature.Verify(body, signature, ["first"u8.ToArray(), "second"u8.ToArray()]).Should().BeTrue();
        WebhookSignature.Verify(body, signature, ["first"u8.ToArray(), "third"u8.ToArray()]).Should().BeFalse();
        WebhookSignature.Verify(body, signature, []).Should().BeFalse();
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha1=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688")]
    [InlineData("sha256=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc9668")]
    [InlineData("sha256=zz63007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688")]
    public void Malformed_signature_headers_are_rejected(string? header) => WebhookSignature.Parse(header).Should().BeNull();

    private static string EscapeNonAscii(string text) =>
        NonAscii().Replace(text, m => string.Concat(m.Value.Select(c => $"\\u{(int)c:x4}")));

    [GeneratedRegex("[^\\x00-\\x7e]+")]
    private static partial Regex NonAscii();
}
