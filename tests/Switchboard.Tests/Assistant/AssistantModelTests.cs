using Switchboard.Common.Configuration;
using Switchboard.Features.Assistant;

namespace Switchboard.Tests.Assistant;

/// <summary>The built-in models on the labelled sets of eval/assistant (docs/ai.md), and the detectors' checks one by one.</summary>
public sealed class AssistantModelTests
{
    internal static string EvalDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "eval", "assistant");
                if (File.Exists(Path.Combine(candidate, "sentiment.tsv")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("eval/assistant not found above the test binaries");
        }
    }

    [Fact]
    public void Sentiment_accuracy_on_the_labelled_set_is_at_least_0_80_overall_and_in_each_language()
    {
        var result = AssistantEvaluation.Sentiment(Path.Combine(EvalDirectory, "sentiment.tsv"));

        result.Total.Should().BeGreaterThanOrEqualTo(150);
        result.PerLanguage.Keys.Should().BeEquivalentTo("en", "es", "pt");
        result.Accuracy.Should().BeGreaterThanOrEqualTo(0.80, string.Join("\n", result.Misses));
        foreach (var (language, (total, correct)) in result.PerLanguage)
        {
            ((double)correct / total).Should().BeGreaterThanOrEqualTo(0.80, $"accuracy in {language}");
        }
    }

    [Fact]
    public void Redaction_recall_on_the_labelled_set_is_at_least_0_99()
    {
        var result = AssistantEvaluation.Redaction(Path.Combine(EvalDirectory, "pii.tsv"));

        result.Expected.Should().BeGreaterThanOrEqualTo(100);
        result.Recall.Should().BeGreaterThanOrEqualTo(0.99, string.Join("\n", result.Misses));
        result.Precision.Should().BeGreaterThanOrEqualTo(0.90, string.Join("\n", result.Misses));
    }

    [Fact]
    public void The_eval_command_prints_accuracy_per_language_recall_precision_and_latency()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        EvalAiCommand.Run(["--dir", EvalDirectory], output, error).Should().Be(0, error.ToString());

        var text = output.ToString();
        text.Should().Contain("sentiment accuracy:").And.Contain("  en:").And.Contain("  es:").And.Contain("  pt:");
        text.Should().Contain("redaction recall:").And.Contain("precision:");
        text.Should().MatchRegex(@"local suggestions: p50 [\d.]+ ms, p99 [\d.]+ ms");
        EvalAiCommand.Run(["--nonsense"], output, error).Should().Be(2);
    }

    [Fact]
    public void The_default_sets_are_found_from_the_project_folder_that_dotnet_run_starts_in()
    {
        var repository = Path.GetDirectoryName(Path.GetDirectoryName(EvalDirectory))!;
        var project = Path.Combine(repository, "src", "Switchboard");
        Directory.Exists(project).Should().BeTrue("the test runs inside the repository");

        RepositoryFolder.Resolve(Path.Combine("eval", "assistant"), project).Should().Be(EvalDirectory);
        RepositoryFolder.Resolve(Path.Combine("eval", "knowledge"), project).Should().Be(Path.Combine(repository, "eval", "knowledge"));
        RepositoryFolder.Resolve(Path.Combine("eval", "no-such-set"), project).Should().Be(Path.Combine("eval", "no-such-set"));
    }

    [Fact]
    public void The_eval_command_without_a_folder_finds_the_repository_set()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        EvalAiCommand.Run([], output, error).Should().Be(0, error.ToString());

        output.ToString().Should().Contain("sentiment accuracy:");
    }

    [Theory]
    [InlineData("The support was good", "positive")]
    [InlineData("The support was not good", "negative")]
    [InlineData("Not bad at all", "positive")]
    [InlineData("La entrega no fue buena", "negative")]
    [InlineData("O atendimento não foi ruim", "positive")]
    [InlineData("Muito obrigado 😊", "positive")]
    [InlineData("😡😡", "negative")]
    [InlineData("Buenas tardes", "neutral")]
    [InlineData("Good morning, where is my order?", "neutral")]
    [InlineData("It was fine but the courier was extremely rude", "negative")]
    public void Sentiment_handles_negation_intensifiers_contrast_greetings_and_emoji(string text, string label) =>
        SentimentModel.Score(text).Label.ToString().ToLowerInvariant().Should().Be(label);

    [Fact]
    public void Intensifiers_make_a_score_stronger()
    {
        SentimentModel.Score("the delivery was very bad").Score.Should().BeLessThan(SentimentModel.Score("the delivery was bad").Score);
        SentimentModel.Score("muito bom").Score.Should().BeGreaterThan(SentimentModel.Score("bom").Score);
    }

    [Theory]
    [InlineData("4111 1111 1111 1111", true)]
    [InlineData("4111 1111 1111 1112", false)]
    public void Card_numbers_pass_only_with_a_luhn_check_digit(string value, bool valid) =>
        PiiDetector.Find($"card {value} ok").Any(s => s.Type == "CARD").Should().Be(valid);

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 32", "IBAN")]
    [InlineData("DE89370400440532013000", "IBAN")]
    [InlineData("277.113.153-68", "CPF")]
    [InlineData("12345678Z", "DNI")]
    [InlineData("X1236916E", "NIE")]
    [InlineData("123456789", "NIF")]
    [InlineData("123-45-6789", "SSN")]
    [InlineData("john@example.com", "EMAIL")]
    [InlineData("+34 612 345 678", "PHONE")]
    public void Each_national_id_and_contact_detail_is_found_with_its_type(string value, string type) =>
        PiiDetector.Find($"mine: {value} thanks").Should().ContainSingle().Which.Type.Should().Be(type);

    [Theory]
    [InlineData("GB82 WEST 1234 5698 7654 33")]
    [InlineData("277.113.153-69")]
    [InlineData("12345678A")]
    public void A_number_that_fails_its_check_is_not_taken_for_personal_data(string value) =>
        PiiDetector.Find($"ref {value} ok").Should().BeEmpty();

    [Fact]
    public void Redaction_uses_one_typed_placeholder_per_value_and_restores_the_answer()
    {
        var redaction = new Redaction(["Lucía Fernández"], ["Calle Mayor 5"]);

        var prompt = redaction.Apply("Soy Lucia Fernandez, vivo en calle mayor 5; llamad al +34 612 345 678 o al +34 612 345 678, correo lucia@example.es");

        prompt.Should().Be("Soy [NAME_1], vivo en [ATTRIBUTE_1]; llamad al [PHONE_1] o al [PHONE_1], correo [EMAIL_1]");
        redaction.Apply("Lucía again").Should().Be("[NAME_2] again", "a part of the name is another value");
        redaction.Restore("Llamaremos al [PHONE_1], [NAME_1].").Should().Be("Llamaremos al +34 612 345 678, Lucia Fernandez.");
        redaction.Restore("[PHONE_9] stays").Should().Be("[PHONE_9] stays");
    }
}
