using System.Text;
using Microsoft.Extensions.AI;

namespace Switchboard.Features.Assistant;

/// <summary>What a provider is given: the conversation's recent lines, the customer's last words, the locally ranked replies.</summary>
internal sealed record AssistantInput(IReadOnlyList<TranscriptLine> Transcript, string Query, IReadOnlyList<Suggestion> Ranked, Redaction Redaction);

/// <summary>A provider's result, with the prompt it sent and the answer it got (audited by hash only).</summary>
internal sealed record ProviderRun<T>(T Result, string Prompt, string Answer);

/// <summary>Writes suggestions and summaries; <see cref="Name"/> is recorded with every use (ADR 0035).</summary>
internal interface IAssistantProvider
{
    string Name { get; }

    Task<ProviderRun<IReadOnlyList<Suggestion>>> SuggestAsync(AssistantInput input, CancellationToken ct);

    Task<ProviderRun<string>> SummarizeAsync(AssistantInput input, CancellationToken ct);
}

/// <summary>The built-in provider: no network, the local ranking's replies and an extractive summary.</summary>
internal sealed class LocalAssistantProvider : IAssistantProvider
{
    public static readonly LocalAssistantProvider Instance = new();

    public string Name => "local";

    public Task<ProviderRun<IReadOnlyList<Suggestion>>> SuggestAsync(AssistantInput input, CancellationToken ct) =>
        Task.FromResult(new ProviderRun<IReadOnlyList<Suggestion>>(input.Ranked, input.Query, string.Join("\n", input.Ranked.Select(s => s.Text))));

    public Task<ProviderRun<string>> SummarizeAsync(AssistantInput input, CancellationToken ct)
    {
        var summary = ExtractiveSummarizer.Summarize(input.Transcript);
        return Task.FromResult(new ProviderRun<string>(summary, Prompts.Transcript(input.Transcript, Redaction.None), summary));
    }
}

/// <summary>
/// An OpenAI-compatible endpoint behind <see cref="IChatClient"/>. Every text is redacted before it is put in a
/// prompt (ADR 0035) and the answer is restored for the agent; the model's reply comes first, then the best
/// two of the local ranking.
/// </summary>
internal sealed class ChatClientAssistantProvider(IChatClient client, string? model) : IAssistantProvider
{
    public string Name => "openai";

    public async Task<ProviderRun<IReadOnlyList<Suggestion>>> SuggestAsync(AssistantInput input, CancellationToken ct)
    {
        var prompt = new StringBuilder(Prompts.Transcript(input.Transcript, input.Redaction));
        if (input.Ranked.Count > 0)
        {
            prompt.Append("\nReplies this team has used before:\n");
            foreach (var suggestion in input.Ranked)
            {
                prompt.Append("- ").Append(input.Redaction.Apply(suggestion.Text)).Append('\n');
            }
        }

        var text = prompt.ToString();
        var answer = await AskAsync(Prompts.SuggestInstruction, text, ct);
        var restored = input.Redaction.Restore(answer.Trim());
        IReadOnlyList<Suggestion> items = string.IsNullOrWhiteSpace(restored)
            ? [.. input.Ranked.Take(SuggestionRanking.Max)]
            : [new Suggestion(restored, "model"), .. input.Ranked.Where(r => r.Text != restored).Take(SuggestionRanking.Max - 1)];
        return new ProviderRun<IReadOnlyList<Suggestion>>(items, text, answer);
    }

    public async Task<ProviderRun<string>> SummarizeAsync(AssistantInput input, CancellationToken ct)
    {
        var text = Prompts.Transcript(input.Transcript, input.Redaction);
        var answer = await AskAsync(Prompts.SummaryInstruction, text, ct);
        return new ProviderRun<string>(input.Redaction.Restore(answer.Trim()), text, answer);
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

    public static string Transcript(IReadOnlyList<TranscriptLine> lines, Redaction redaction)
    {
        var builder = new StringBuilder("Conversation:\n");
        foreach (var line in lines)
        {
            builder.Append(line.Speaker).Append(": ").Append(redaction.Apply(line.Text)).Append('\n');
        }

        return builder.ToString();
    }
}
