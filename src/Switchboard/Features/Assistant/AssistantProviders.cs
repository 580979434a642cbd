using System.Text;
using Microsoft.Extensions.AI;

namespace Switchboard.Features.Assistant;

/// <summary>What a provider is given: the conversation's recent lines, the customer's last words, the locally ranked replies.</summary>
internal sealed record AssistantInput(IReadOnlyList<TranscriptLine> Transcript, string Query, IReadOnlyList<Suggestion> Ranked, Redaction Redaction);

/// <summary>A provider's result, with the prompt it sent and the answer it got (audited by hash only).</summary>
internal sealed record ProviderRun<T>(T Result, string Prompt, string Answer);

/// <summary>
/// Writes suggestions and summaries through <see cref="IChatClient"/>, whichever model answers (ADR 0035, 0046): the
/// built-in <see cref="LocalChatClient"/> or an OpenAI-compatible endpoint. <see cref="Name"/> is recorded with every
/// use. A remote provider gets every text redacted (<see cref="AssistantInput.Redaction"/>) and its answer restored for
/// the agent; the local one reads the texts as they are, since nothing leaves the process. The model's reply comes
/// first (source <c>model</c>, or the source of the ranked reply it repeats), then the best others of the local ranking.
/// </summary>
internal sealed class AssistantProvider(IChatClient client, string name, string? model, bool remote)
{
    public string Name => name;

    public async Task<ProviderRun<IReadOnlyList<Suggestion>>> SuggestAsync(AssistantInput input, CancellationToken ct)
    {
        var redaction = remote ? input.Redaction : null;
        var text = Prompts.Suggestion(input.Transcript, input.Ranked, redaction);
        var answer = await AskAsync(Prompts.SuggestInstruction, text, ct);
        var restored = redaction is null ? answer.Trim() : redaction.Restore(answer.Trim());
        var repeated = input.Ranked.FirstOrDefault(r => r.Text.Trim() == restored);
        IReadOnlyList<Suggestion> items = string.IsNullOrWhiteSpace(restored)
            ? [.. input.Ranked.Take(SuggestionRanking.Max)]
            : [repeated ?? new Suggestion(restored, "model"), .. input.Ranked.Where(r => r != repeated && r.Text != restored).Take(SuggestionRanking.Max - 1)];
        return new ProviderRun<IReadOnlyList<Suggestion>>(items, text, answer);
    }

    public async Task<ProviderRun<string>> SummarizeAsync(AssistantInput input, CancellationToken ct)
    {
        var redaction = remote ? input.Redaction : null;
        var text = Prompts.Transcript(input.Transcript, redaction);
        var answer = await AskAsync(Prompts.SummaryInstruction, text, ct);
        return new ProviderRun<string>(redaction is null ? answer.Trim() : redaction.Restore(answer.Trim()), text, answer);
    }

    private async Task<string> AskAsync(string instruction, string prompt, CancellationToken ct)
    {
        var response = await client.GetResponseAsync(
            [new ChatMessage(ChatRole.System, instruction), new ChatMessage(ChatRole.User, prompt)],
            new ChatOptions { ModelId = model, Temperature = 0.2f, MaxOutputTokens = 400 },
            ct);
        return response.Text ?? "";
    }
}

/// <summary>The instructions and the transcript as a remote model reads them.</summary>
internal static class Prompts
{
    public const string SuggestInstruction =
        "You help a customer-service agent. Write the one short reply the agent could send next, in the customer's language. "
        + "Personal data appears as placeholders such as [PHONE_1] or [NAME_1]; keep them exactly as they are. Answer with the reply only.";

    public const string SummaryInstruction =
        "Summarize this customer-service conversation for the next agent in at most four short lines: what the customer wants, "
        + "what was done, what is still open. Placeholders such as [EMAIL_1] stand for personal data; keep them exactly as they are.";

    public const string TranscriptHeading = "Conversation:";
    public const string RepliesHeading = "Replies this team has used before:";
    public const string Continued = "  ";

    /// <summary>
    /// The transcript, one "Speaker: text" entry per message; a text's further lines are indented by <see cref="Continued"/>,
    /// so the entries can be read back exactly (<see cref="LocalChatClient"/>). Redacted when a redaction is given.
    /// </summary>
    public static string Transcript(IReadOnlyList<TranscriptLine> lines, Redaction? redaction)
    {
        var builder = new StringBuilder(TranscriptHeading).Append('\n');
        foreach (var line in lines)
        {
            builder.Append(line.Speaker).Append(": ").Append(Indent(redaction is null ? line.Text : redaction.Apply(line.Text))).Append('\n');
        }

        return builder.ToString();
    }

    /// <summary>The transcript and the locally ranked replies, best first, each a "- " entry.</summary>
    public static string Suggestion(IReadOnlyList<TranscriptLine> lines, IReadOnlyList<Suggestion> ranked, Redaction? redaction)
    {
        var prompt = new StringBuilder(Transcript(lines, redaction));
        if (ranked.Count > 0)
        {
            prompt.Append('\n').Append(RepliesHeading).Append('\n');
            foreach (var suggestion in ranked)
            {
                prompt.Append("- ").Append(Indent(redaction is null ? suggestion.Text : redaction.Apply(suggestion.Text))).Append('\n');
            }
        }

        return prompt.ToString();
    }

    private static string Indent(string text) => text.Replace("\n", "\n" + Continued, StringComparison.Ordinal);
}
