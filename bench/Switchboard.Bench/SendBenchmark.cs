using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;

namespace Switchboard.Bench;

/// <summary>How posting the replies went: how many were queued (202), how long it took, and what else came back.</summary>
internal sealed record ReplyPosting(int Queued, TimeSpan Took, IReadOnlyDictionary<string, int> Errors);

internal sealed record SendResults(
    BenchOptions Options,
    DateTimeOffset StartedAt,
    ReplyPosting Posting,
    IReadOnlyList<NumberRate> Numbers,
    TimeSpan? CompletedAfter,
    int Accepted,
    IReadOnlyDictionary<string, int> Statuses,
    IReadOnlyDictionary<string, int> FailureCodes);

/// <summary>
/// Sending: a fresh tenant with N numbers, one open conversation per reply (one inbound webhook per customer,
/// so the 24-hour window is open), then every reply posted as fast as the API takes them while the database
/// is watched to see how fast each number's replies are accepted by Meta (get their wamid).
/// </summary>
internal static class SendBenchmark
{
    /// <summary>How long to wait for the conversations to appear, and for the replies to finish after the last is queued.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(120);

    private static readonly string[] Replies =
    [
        "Hi! Thanks for writing — let me check that for you.",
        "Your order left our warehouse this morning; you'll get the tracking link by email.",
        "We're open 9:00–18:00 on Saturdays.",
        "I've refunded the duplicate charge; it can take 3–5 business days to show.",
        "Yes, store pickup is free. Bring your order number.",
        "Sorry about that! Could you send a photo of the damaged box?",
    ];

    public static async Task<string> RunAsync(BenchOptions options, HttpClient http, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var api = new SwitchboardApi(http, options.Url);
        var db = new BenchDatabase(options.DbProvider, options.Db!);
        var appSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var tenant = await api.CreateTenantAsync(options.OperatorKey, $"Bench send {startedAt:yyyy-MM-dd HH:mm:ss}", ct);
        var channels = new List<ChannelInfo>();
        for (var i = 0; i < options.Numbers; i++)
        {
            channels.Add(await api.CreateChannelAsync(tenant, appSecret, ct));
        }

        Progress.Line($"Provisioned tenant {tenant.Id} with {channels.Count} numbers");
        var conversations = await OpenConversationsAsync(api, tenant, channels, appSecret, options, ct);

        await using var sampler = await SendSampler.OpenAsync(db, tenant.Id, ct);
        Progress.Line($"Posting {conversations.Count:N0} replies (concurrency {options.Concurrency}) and watching the database every {SendSampler.Interval.TotalMilliseconds:F0} ms");
        var queued = 0;
        var allQueued = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clock = Stopwatch.StartNew();
        var recording = sampler.RecordAsync(clock, () => Volatile.Read(ref queued), allQueued.Task, WaitLimit, ct);
        var posting = await PostRepliesAsync(api, tenant, conversations, options.Concurrency, clock, () => Interlocked.Increment(ref queued), ct);
        allQueued.SetResult(posting.Queued);
        var samples = await recording;

        var (statuses, failureCodes) = await sampler.OutcomeAsync(ct);
        var numbers = channels.Select(c => SendSampler.RateOf(c, samples)).ToList();
        var last = samples[^1];
        var completed = last.Accepted + last.FailedOrUnknown >= posting.Queued ? last.At : (TimeSpan?)null;
        return Report.Send(new SendResults(options, startedAt, posting, numbers, completed, last.Accepted, statuses, failureCodes));
    }

    /// <summary>One customer per reply writes to one number (signed webhook, timestamp now); then waits until every conversation is listed.</summary>
    private static async Task<List<ConversationInfo>> OpenConversationsAsync(
        SwitchboardApi api, TenantInfo tenant, List<ChannelInfo> channels, string appSecret, BenchOptions options, CancellationToken ct)
    {
        var perNumber = options.RepliesPerNumber;
        var customers = Webhooks.CustomerPool(channels.Count * perNumber);
        var inbound = channels
            .Select(channel => new Webhooks(channel.PhoneNumberId, appSecret))
            .SelectMany((webhooks, c) => Enumerable.Range(0, perNumber).Select(i => (Webhooks: webhooks, Sequence: i, Customer: customers[(c * perNumber) + i])))
            .ToList();
        Progress.Line($"Opening {inbound.Count:N0} conversations: one inbound webhook per customer");
        var refused = 0;
        await Parallel.ForEachAsync(inbound, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct }, async (item, token) =>
        {
            var message = new InboundText(item.Webhooks.NewWamid(0, item.Sequence), item.Customer, Webhooks.SomeText(Random.Shared), DateTimeOffset.UtcNow);
            var webhook = item.Webhooks.Create([message]);
            for (var attempt = 1; await api.PostWebhookAsync(tenant.Id, webhook, token) != HttpStatusCode.OK; attempt++)
            {
                if (attempt == 3)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), token);
            }
        });
        if (refused > 0)
        {
            throw new BenchmarkException($"{refused} of {inbound.Count} inbound webhooks were refused three times.");
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var conversations = await api.ListConversationsAsync(tenant, ct);
            Progress.Line($"  [open] {clock.Elapsed.TotalSeconds,5:F1} s  {conversations.Count:N0} of {inbound.Count:N0} conversations");
            if (conversations.Count >= inbound.Count)
            {
                var closed = conversations.Count(c => c.Status != "open" || !(c.WindowExpiresAt > DateTimeOffset.UtcNow));
                return closed == 0
                    ? conversations
                    : throw new BenchmarkException($"{closed} conversations are not open with an open 24-hour window.");
            }

            if (clock.Elapsed > WaitLimit)
            {
                throw new BenchmarkException($"only {conversations.Count} of {inbound.Count} conversations appeared within {WaitLimit.TotalSeconds:F0} s.");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>Every reply at once (as many in flight as the concurrency), each with its own Idempotency-Key.</summary>
    private static async Task<ReplyPosting> PostRepliesAsync(
        SwitchboardApi api, TenantInfo tenant, List<ConversationInfo> conversations, int concurrency, Stopwatch clock, Action onQueued, CancellationToken ct)
    {
        var errors = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(conversations, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (conversation, token) =>
        {
            var text = Replies[Random.Shared.Next(Replies.Length)];
            string error;
            try
            {
                var status = await api.ReplyAsync(tenant, conversation.Id, text, $"bench-{conversation.Id:N}", token);
                if (status == HttpStatusCode.Accepted)
                {
                    onQueued();
                    return;
                }

                error = $"HTTP {(int)status}";
            }
            catch (HttpRequestException ex)
            {
                error = $"{nameof(HttpRequestException)} ({ex.HttpRequestError})";
            }
            catch (TaskCanceledException) when (!token.IsCancellationRequested)
            {
                error = "timeout";
            }

            errors.AddOrUpdate(error, 1, (_, n) => n + 1);
        });
        return new ReplyPosting(conversations.Count - errors.Values.Sum(), clock.Elapsed, errors.OrderByDescending(e => e.Value).ToDictionary());
    }
}
