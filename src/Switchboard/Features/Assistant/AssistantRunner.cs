using System.ClientModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using OpenAI;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Assistant;

/// <summary>The audited assistant actions.</summary>
internal static class AssistantAudit
{
    public const string SettingsChanged = "assistant.settings_changed";
    public const string Suggested = "assistant.suggested";
    public const string Summarized = "assistant.summarized";
}

/// <summary>
/// Suggestions and summaries for one conversation (ADR 0035): refused while the tenant's assistant is off; the
/// conversation's recent lines opened in memory only; the tenant's provider chosen; every use audited with the
/// provider and the SHA-256 of the prompt and of the answer, never their text.
/// </summary>
internal sealed class AssistantRunner(
    IEnumerable<ISuggestionSource> sources,
    [FromKeyedServices(AssistantRunner.LocalKey)] IEmbeddingGenerator<string, Embedding<float>> embeddings,
    ContactKeys contactKeys,
    ContactDirectory contacts,
    Sealer sealer,
    TimeProvider clock)
{
    /// <summary>The service key of the built-in models.</summary>
    public const string LocalKey = "local";

    public const int TranscriptLines = 30;
    private static readonly TimeSpan RemoteTimeout = TimeSpan.FromSeconds(30);
    private readonly IReadOnlyList<ISuggestionSource> sources = [.. sources];

    public sealed record SuggestionsResponse(IReadOnlyList<Suggestion> Items, string Provider);

    public sealed record SummaryResponse(string Text, string Provider, DateTimeOffset? CreatedAt = null, string? Trigger = null);

    public async Task<Outcome<SuggestionsResponse>> SuggestAsync(
        SwitchboardDbContext db, Guid tenantId, Guid conversationId, Guid? agentUserId, AuditActor actor, CancellationToken ct)
    {
        var prepared = await PrepareAsync(db, tenantId, conversationId, ct);
        if (prepared.Failure is { } failure)
        {
            return failure;
        }

        var (settings, conversation, transcript, redaction, contactName) = prepared.Value!;
        var query = string.Join(" ", transcript.Reverse().TakeWhile(l => l.Speaker == "Customer").Reverse().Select(l => l.Text).DefaultIfEmpty(transcript.LastOrDefault()?.Text ?? ""));
        var context = new SuggestionContext(tenantId, conversationId, agentUserId, contactName, query);
        var candidates = new List<SuggestionCandidate>();
        foreach (var source in sources)
        {
            candidates.AddRange(await source.CandidatesAsync(db, context, ct));
        }

        var ranked = SuggestionRanking.Rank(query, candidates);
        if (ranked.Count == 0)
        {
            ranked = await SuggestionRanking.NearestAsync(embeddings, query, candidates, ct);
        }

        var run = await RunAsync(settings, p => p.SuggestAsync(new AssistantInput(transcript, query, ranked, redaction), ct), ct);
        if (run.Failure is { } refused)
        {
            return refused;
        }

        var (provider, result) = run.Value!;
        await AuditUseAsync(db, tenantId, actor, AssistantAudit.Suggested, conversation.Id, provider, result.Prompt, result.Answer, redaction, ct);
        return new SuggestionsResponse(result.Result, provider);
    }

    public async Task<Outcome<SummaryResponse>> SummarizeAsync(
        SwitchboardDbContext db, Guid tenantId, Guid conversationId, SummaryTrigger trigger, AuditActor actor, CancellationToken ct)
    {
        var prepared = await PrepareAsync(db, tenantId, conversationId, ct);
        if (prepared.Failure is { } failure)
        {
            return failure;
        }

        var (settings, conversation, transcript, redaction, _) = prepared.Value!;
        var run = await RunAsync(settings, p => p.SummarizeAsync(new AssistantInput(transcript, "", [], redaction), ct), ct);
        if (run.Failure is { } refused)
        {
            return refused;
        }

        var (provider, result) = run.Value!;
        var now = clock.GetUtcNow();
        var summary = new ConversationSummary
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ConversationId = conversation.Id,
            Trigger = trigger,
            Provider = provider,
            CreatedAt = now,
        };
        summary.Text = await sealer.SealAsync(summary.TextContext, result.Result, ct);
        db.ConversationSummaries.Add(summary);
        await AuditUseAsync(db, tenantId, actor, AssistantAudit.Summarized, conversation.Id, provider, result.Prompt, result.Answer, redaction, ct);
        return new SummaryResponse(result.Result, provider, now, trigger.ToString().ToLowerInvariant());
    }

    /// <summary>The conversation's newest summary, opened for the agent; null when it has none.</summary>
    public async Task<SummaryResponse?> LatestSummaryAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        var summary = await db.ConversationSummaries.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.ConversationId == conversationId)
            .OrderByDescending(s => s.CreatedAt).FirstOrDefaultAsync(ct);
        if (summary is null)
        {
            return null;
        }

        try
        {
            return new SummaryResponse(await sealer.OpenAsync(summary.TextContext, summary.Text, ct), summary.Provider, summary.CreatedAt, summary.Trigger.ToString().ToLowerInvariant());
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private sealed record Ran<T>(string Provider, ProviderRun<T> Run);

    private sealed record Prepared(AssistantSettings Settings, Conversation Conversation, TranscriptLine[] Transcript, Redaction Redaction, string? ContactName);

    private async Task<Outcome<Prepared>> PrepareAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct)
    {
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return Failure.NotFound();
        }

        var settings = await db.AssistantSettings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == tenantId, ct);
        if (settings is not { Enabled: true })
        {
            return new Failure(FailureKind.Conflict, "The assistant is off.", "A tenant admin turns it on in the AI settings.", ProblemType: AssistantProblems.OffType);
        }

        var contact = await db.Contacts.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversation.ContactId, ct);
        if (contact?.DataKey is null)
        {
            return Failure.Conflict("The contact of this conversation was erased.");
        }

        var key = await contactKeys.KeyOfAsync(contact, ct);
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.TenantId == tenantId && m.ConversationId == conversationId && m.Direction != MessageDirection.Note)
            .OrderByDescending(m => m.Timestamp).Take(TranscriptLines)
            .ToListAsync(ct);
        var transcript = messages.OrderBy(m => m.Timestamp)
            .Select(m => new TranscriptLine(m.Direction == MessageDirection.Inbound ? "Customer" : "Agent", Sealer.OpenString(key, m.SealContext(nameof(Message.Text)), m.Text), m.Timestamp))
            .Where(l => !string.IsNullOrWhiteSpace(l.Text))
            .ToArray();
        var profile = await contacts.ReadAsync(contact, ct);
        var names = new[] { profile.Name, profile.DisplayName }.OfType<string>().Where(n => n.Trim().Length >= 3).ToArray();
        return new Prepared(settings, conversation, transcript, new Redaction(names, AttributeValues(profile.AttributesJson)), profile.ShownName);
    }

    private async Task<Outcome<Ran<T>>> RunAsync<T>(AssistantSettings settings, Func<AssistantProvider, Task<ProviderRun<T>>> use, CancellationToken ct)
    {
        if (settings.Provider == AssistantProviderKind.Local)
        {
            var local = new AssistantProvider(LocalChatClient.Instance, "local", LocalChatClient.ModelId, remote: false);
            return new Ran<T>(local.Name, await use(local));
        }

        var apiKey = settings.ApiKey is { } sealedKey ? await sealer.OpenAsync(settings.ApiKeyContext, sealedKey, ct) : "none";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RemoteTimeout);
        using var client = new OpenAIClient(new ApiKeyCredential(apiKey), new OpenAIClientOptions { Endpoint = new Uri(settings.BaseUrl!) })
            .GetChatClient(settings.Model).AsIChatClient();
        var provider = new AssistantProvider(client, "openai", settings.Model, remote: true);
        try
        {
            return new Ran<T>(provider.Name, await use(provider));
        }
        catch (Exception e) when (e is ClientResultException or HttpRequestException or JsonException or InvalidOperationException
            || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // The endpoint's answer may quote the prompt: only the kind of failure is said.
            return new Failure(FailureKind.Unavailable, "The assistant's provider did not answer.", e.GetType().Name);
        }
    }

    private static string[] AttributeValues(string? attributesJson)
    {
        if (string.IsNullOrWhiteSpace(attributesJson))
        {
            return [];
        }

        try
        {
            using var json = JsonDocument.Parse(attributesJson);
            return json.RootElement.ValueKind != JsonValueKind.Object ? []
                : [.. json.RootElement.EnumerateObject().Select(p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetRawText() : null)
                    .OfType<string>().Where(v => v.Trim().Length >= 3)];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private Task AuditUseAsync(
        SwitchboardDbContext db, Guid tenantId, AuditActor actor, string action, Guid conversationId, string provider, string prompt, string answer, Redaction redaction, CancellationToken ct) =>
        AuditLog.RecordAsync(db, tenantId, actor, action, $"conversation:{conversationId}", new
        {
            provider,
            promptSha256 = Sha256(prompt),
            answerSha256 = Sha256(answer),
            redacted = redaction.Count,
        }, clock.GetUtcNow(), ct);

    internal static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>The assistant's problem types.</summary>
internal static class AssistantProblems
{
    public const string OffType = Problems.TypeBase + "assistant-off";
}
