using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Extensions.AI;

namespace Switchboard.Features.Assistant;

/// <summary>
/// The built-in provider as a <see cref="IChatClient"/> (ADR 0046): no network, no model file. It reads the prompt the
/// assistant writes for any provider (<see cref="Prompts"/>): asked for a reply, it answers the best of the locally
/// ranked replies listed in it; asked for a summary, the extractive summary of the transcript in it. Any other
/// instruction gets an empty answer.
/// </summary>
internal sealed class LocalChatClient : IChatClient
{
    public const string ModelId = "switchboard-local-1";

    public static readonly LocalChatClient Instance = new();

    private static readonly ChatClientMetadata Metadata = new("local", null, ModelId);

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages.ToList();
        var instruction = list.FirstOrDefault(m => m.Role == ChatRole.System)?.Text ?? "";
        var prompt = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var read = Read(prompt);
        var answer = instruction switch
        {
            Prompts.SuggestInstruction => read.Replies.FirstOrDefault() ?? "",
            Prompts.SummaryInstruction => ExtractiveSummarizer.Summarize(read.Transcript),
            _ => "",
        };
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { ModelId = ModelId });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        yield return new ChatResponseUpdate(ChatRole.Assistant, response.Text) { ModelId = ModelId };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    /// <summary>The transcript entries and the listed replies of a prompt written by <see cref="Prompts"/>, exactly as they were.</summary>
    internal static (List<TranscriptLine> Transcript, List<string> Replies) Read(string prompt)
    {
        var transcript = new List<(string Speaker, StringBuilder Text)>();
        var replies = new List<StringBuilder>();
        StringBuilder? current = null;
        var section = "";
        foreach (var line in prompt.Split('\n'))
        {
            if (line is Prompts.TranscriptHeading or Prompts.RepliesHeading)
            {
                (section, current) = (line, null);
            }
            else if (current is not null && line.StartsWith(Prompts.Continued, StringComparison.Ordinal))
            {
                current.Append('\n').Append(line, Prompts.Continued.Length, line.Length - Prompts.Continued.Length);
            }
            else if (section == Prompts.TranscriptHeading && line.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon)
            {
                transcript.Add((line[..colon], current = new StringBuilder(line[(colon + 2)..])));
            }
            else if (section == Prompts.RepliesHeading && line.StartsWith("- ", StringComparison.Ordinal))
            {
                replies.Add(current = new StringBuilder(line[2..]));
            }
            else
            {
                current = null;
            }
        }

        return ([.. transcript.Select(t => new TranscriptLine(t.Speaker, t.Text.ToString(), default))], [.. replies.Select(r => r.ToString())]);
    }
}

/// <summary>
/// The built-in embedding (ADR 0046): the character trigrams of each text's search words (<see cref="Bm25Index.Terms"/>:
/// folded, stop words out, light stem; "^" and "$" mark a word's ends), hashed into <see cref="Dimensions"/> signed buckets
/// and scaled to length 1,
/// so that cosine similarity finds a reply that shares no whole word with the question ("refnd" and "refund"). No network,
/// no model file, the same vector for the same text on every machine.
/// </summary>
internal sealed class HashedNgramEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 512;
    public const string ModelId = "switchboard-hashed-ngrams-1";

    private static readonly EmbeddingGeneratorMetadata Metadata = new("local", null, ModelId, Dimensions);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var embeddings = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            embeddings.Add(new Embedding<float>(Embed(value)) { ModelId = ModelId });
        }

        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    internal static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        foreach (var term in Bm25Index.Terms(text))
        {
            var padded = "^" + term + "$";
            for (var i = 0; i + 3 <= padded.Length; i++)
            {
                Add(vector, padded.Substring(i, 3), 1f);
            }
        }

        var length = MathF.Sqrt(vector.Sum(v => v * v));
        if (length > 0)
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] /= length;
            }
        }

        return vector;
    }

    /// <summary>Cosine similarity of two vectors of length 1 (or 0 when either is empty).</summary>
    internal static float Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    private static void Add(float[] vector, string feature, float weight)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in feature)
        {
            hash = (hash ^ c) * 16777619u;
        }

        vector[hash % Dimensions] += (hash & 0x8000_0000u) == 0 ? weight : -weight;
    }
}
