using Switchboard.Features.Knowledge;

namespace Switchboard.Tests.Knowledge;

public sealed class KnowledgeTextTests
{
    [Theory]
    [InlineData("refund", "refunds", "refunded")]
    [InlineData("envío", "envios", "enviar")]
    [InlineData("cancelación", "cancelar", "cancelled")]
    [InlineData("pagamento", "pagar", "pago")]
    [InlineData("shipping", "shipped", "ships")]
    public void Forms_of_a_word_share_a_term_across_accents_and_languages(string a, string b, string c)
    {
        var terms = new[] { a, b, c }.Select(KnowledgeText.Terms).ToList();
        terms.Distinct().Should().ContainSingle($"{a}, {b} and {c} are one word to search");
    }

    [Fact]
    public void Common_words_and_greetings_are_not_terms()
    {
        KnowledgeText.QueryTerms("Hola, ¿cómo puedo devolver el pedido? Gracias").Should().Equal(KnowledgeText.Stem("devolver"), KnowledgeText.Stem("pedido"));
        KnowledgeText.QueryTerms("hi, where is my order??").Should().Equal("order");
    }

    [Fact]
    public void Markdown_is_rendered_without_raw_html_or_script_links()
    {
        var html = KnowledgeMarkdown.ToHtml("**Bold** <img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://example.com) [c](/kb/x) ![i](data:image/png;base64,AAAA)");
        html.Should().Contain("<strong>Bold</strong>").And.Contain("href=\"https://example.com\"").And.Contain("href=\"/kb/x\"");
        html.Should().NotContain("<img src=x").And.NotContain("javascript:").And.NotContain("data:image");
    }

    [Fact]
    public void A_snippet_is_the_passage_around_the_question_words()
    {
        var body = string.Join(' ', Enumerable.Range(0, 60).Select(i => $"word{i}")) + " Refunds reach your card within ten days. " + string.Join(' ', Enumerable.Range(0, 60).Select(i => $"tail{i}"));
        var snippet = KnowledgeSnippet.Of(body, KnowledgeText.QueryTerms("refund card"));
        snippet.Should().Contain("Refunds reach your card").And.StartWith("…").And.EndWith("…");
        snippet.Length.Should().BeLessThan(body.Length / 2);
    }
}
