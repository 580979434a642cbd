using Microsoft.Extensions.AI;
using Switchboard.Features.Assistant;

namespace Switchboard.Tests.Assistant;

/// <summary>The built-in provider behind Microsoft.Extensions.AI's interfaces (ADR 0046): the chat client and the embedding.</summary>
public sealed class LocalModelsTests
{
    private static readonly TranscriptLine[] Transcript =
    [
        new("Customer", "Hello, my parcel arrived damaged.\nThe box was crushed.\n\n- and the lamp is broken", default),
        new("Agent", "Sorry to hear that! Agent: we will check.", default),
        new("Customer", "  I would like a refund please", default),
    ];

    private static readonly Suggestion[] Ranked =
    [
        new("Your refund is on its way:\n- 5 working days\n- to the same card", "canned"),
        new("Send us a photo of the box and we ship a replacement today.", "past_answer"),
        new("Our returns policy: https://example.test/returns", "article"),
    ];

    [Fact]
    public void A_prompt_is_read_back_exactly_with_multi_line_texts_and_list_lines()
    {
        var (lines, replies) = LocalChatClient.Read(Prompts.Suggestion(Transcript, Ranked, null));

        lines.Select(l => (l.Speaker, l.Text)).Should().Equal(Transcript.Select(l => (l.Speaker, l.Text)));
        replies.Should().Equal(Ranked.Select(r => r.Text));
    }

    [Fact]
    public async Task The_local_chat_client_answers_the_best_ranked_reply_and_the_extractive_summary()
    {
        IChatClient client = LocalChatClient.Instance;
        client.GetService<ChatClientMetadata>()!.ProviderName.Should().Be("local");

        var reply = await client.GetResponseAsync([new(ChatRole.System, Prompts.SuggestInstruction), new(ChatRole.User, Prompts.Suggestion(Transcript, Ranked, null))]);
        reply.Text.Should().Be(Ranked[0].Text);

        var summary = await client.GetResponseAsync([new(ChatRole.System, Prompts.SummaryInstruction), new(ChatRole.User, Prompts.Transcript(Transcript, null))]);
        summary.Text.Should().Be(ExtractiveSummarizer.Summarize(Transcript)).And.Contain("Customer: Hello, my parcel arrived damaged.");

        (await client.GetResponseAsync([new(ChatRole.System, "Write a poem"), new(ChatRole.User, "about parcels")])).Text.Should().BeEmpty();
        var streamed = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync([new(ChatRole.System, Prompts.SuggestInstruction), new(ChatRole.User, Prompts.Suggestion(Transcript, Ranked, null))]))
        {
            streamed.Add(update.Text);
        }

        string.Concat(streamed).Should().Be(Ranked[0].Text);
    }

    [Fact]
    public async Task The_local_provider_through_the_chat_client_keeps_the_ranking_and_its_sources()
    {
        var provider = new AssistantProvider(LocalChatClient.Instance, "local", LocalChatClient.ModelId, remote: false);
        var redaction = new Redaction(["Dana"], []);
        var input = new AssistantInput(Transcript, "refund", Ranked, redaction);

        var run = await provider.SuggestAsync(input, CancellationToken.None);

        run.Result.Should().Equal(Ranked);
        run.Prompt.Should().Contain("Hello, my parcel arrived damaged.");
        redaction.Count.Should().Be(0, "nothing leaves the process, so nothing is redacted");
        (await provider.SuggestAsync(input with { Ranked = [] }, CancellationToken.None)).Result.Should().BeEmpty();
        (await provider.SummarizeAsync(input, CancellationToken.None)).Result.Should().Be(ExtractiveSummarizer.Summarize(Transcript));
    }

    [Fact]
    public async Task The_hashed_embedding_is_stable_unit_length_and_finds_a_misspelt_question()
    {
        IEmbeddingGenerator<string, Embedding<float>> generator = new HashedNgramEmbeddingGenerator();
        var vectors = await generator.GenerateAsync(["Where is my refund?", "Where is my refund?", "", "opening hours"]);
        vectors[0].Vector.ToArray().Should().Equal(vectors[1].Vector.ToArray());
        vectors[0].Vector.Length.Should().Be(HashedNgramEmbeddingGenerator.Dimensions);
        MathF.Sqrt(vectors[0].Vector.ToArray().Sum(v => v * v)).Should().BeApproximately(1f, 1e-4f);
        vectors[2].Vector.ToArray().Should().OnlyContain(v => v == 0);
        generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelDimensions.Should().Be(HashedNgramEmbeddingGenerator.Dimensions);

        SuggestionCandidate[] candidates =
        [
            new("We are open from 9 to 18.", "canned", "hours We are open from 9 to 18."),
            new("Your refund arrives in 5 working days.", "canned", "refunds Your refund arrives in 5 working days."),
        ];
        SuggestionRanking.Rank("where is my refnd??", candidates).Should().BeEmpty("no whole word is shared");
        var nearest = await SuggestionRanking.NearestAsync(generator, "where is my refnd??", candidates, CancellationToken.None);
        nearest.Should().ContainSingle().Which.Text.Should().Be("Your refund arrives in 5 working days.");
        (await SuggestionRanking.NearestAsync(generator, "zzz qqq", candidates, CancellationToken.None)).Should().BeEmpty();
    }
}
