using System.Collections.Concurrent;
using System.Diagnostics;

namespace CloudApiSimulator;

/// <summary>Everything the simulator remembers: media, limits' windows, and each customer's chat.</summary>
public sealed class SimulatorState
{
    private readonly ConcurrentDictionary<string, Queue<long>> numberWindows = new();
    private readonly ConcurrentDictionary<(string Number, string Customer), Queue<long>> pairWindows = new();

    public ConcurrentDictionary<string, StoredMedia> Media { get; } = new();

    public ConcurrentDictionary<(string Number, string Customer), List<ChatLine>> Chats { get; } = new();

    /// <summary>How often each Meta error code was answered (130429, 131056, …).</summary>
    public ConcurrentDictionary<int, int> ErrorsAnswered { get; } = new();

    public int MessagesAccepted => messagesAccepted;

    private int messagesAccepted;

    private readonly ConcurrentDictionary<string, Queue<long>> acceptedAt = new();
    private readonly ConcurrentDictionary<string, Queue<string>> acceptedWamids = new();
    private readonly ConcurrentDictionary<string, Queue<long>> throttledAt = new();

    /// <summary>Counts an accepted send and remembers when, and its wamid (the last 100,000 per number, for load tests).</summary>
    public void CountAccepted(string phoneNumberId, string wamid)
    {
        Interlocked.Increment(ref messagesAccepted);
        var times = acceptedAt.GetOrAdd(phoneNumberId, _ => new Queue<long>());
        var wamids = acceptedWamids.GetOrAdd(phoneNumberId, _ => new Queue<string>());
        lock (times)
        {
            Remember(times);
            wamids.Enqueue(wamid);
            if (wamids.Count > 100_000)
            {
                wamids.Dequeue();
            }
        }
    }

    /// <summary>When the number's sends were accepted (microseconds since 0001-01-01 UTC) and the wamid each got, in the same order.</summary>
    public (long[] At, string[] Wamids) Accepted(string phoneNumberId)
    {
        if (!acceptedAt.TryGetValue(phoneNumberId, out var times) || !acceptedWamids.TryGetValue(phoneNumberId, out var wamids))
        {
            return ([], []);
        }

        lock (times)
        {
            return ([.. times], [.. wamids]);
        }
    }

    /// <summary>Remembers when a send was refused for the number's throughput (130429).</summary>
    public void CountThrottled(string phoneNumberId) => Remember(throttledAt, phoneNumberId);

    /// <summary>When the number's sends were refused with 130429, in microseconds since 0001-01-01 UTC.</summary>
    public long[] ThrottledAt(string phoneNumberId) => Recall(throttledAt, phoneNumberId);

    private static void Remember(ConcurrentDictionary<string, Queue<long>> log, string phoneNumberId)
    {
        var times = log.GetOrAdd(phoneNumberId, _ => new Queue<long>());
        lock (times)
        {
            Remember(times);
        }
    }

    /// <summary>Adds now to the times (under their lock), keeping the last 100,000.</summary>
    private static void Remember(Queue<long> times)
    {
        times.Enqueue(DateTimeOffset.UtcNow.UtcTicks / TimeSpan.TicksPerMicrosecond);
        if (times.Count > 100_000)
        {
            times.Dequeue();
        }
    }

    private static long[] Recall(ConcurrentDictionary<string, Queue<long>> log, string phoneNumberId)
    {
        if (!log.TryGetValue(phoneNumberId, out var times))
        {
            return [];
        }

        lock (times)
        {
            return [.. times];
        }
    }

    public void CountError(int code) => ErrorsAnswered.AddOrUpdate(code, 1, (_, n) => n + 1);

    /// <summary>True when one more message fits in the number's one-second window (Meta's throughput).</summary>
    public bool TryTakeThroughput(string phoneNumberId, int perSecond) =>
        TryTake(numberWindows.GetOrAdd(phoneNumberId, _ => new Queue<long>()), perSecond, TimeSpan.FromSeconds(1));

    /// <summary>True when one more message to this customer fits Meta's pair limit (a burst within 6 s).</summary>
    public bool TryTakePair(string phoneNumberId, string customer, int burst) =>
        TryTake(pairWindows.GetOrAdd((phoneNumberId, customer), _ => new Queue<long>()), burst, TimeSpan.FromSeconds(6));

    public void Log(string phoneNumberId, string customer, ChatLine line)
    {
        var chat = Chats.GetOrAdd((phoneNumberId, customer), _ => []);
        lock (chat)
        {
            chat.Add(line);
            if (chat.Count > 500)
            {
                chat.RemoveAt(0);
            }
        }
    }

    public IReadOnlyList<ChatLine> Chat(string phoneNumberId, string customer)
    {
        if (!Chats.TryGetValue((phoneNumberId, customer), out var chat))
        {
            return [];
        }

        lock (chat)
        {
            return [.. chat];
        }
    }

    // A precise clock: Environment.TickCount64 moves in steps of several milliseconds on Linux, which let a
    // window hold a few milliseconds less than a second, more lenient than the limit it stands for.
    private static bool TryTake(Queue<long> window, int limit, TimeSpan length)
    {
        lock (window)
        {
            var now = Stopwatch.GetTimestamp();
            var ticks = (long)(length.TotalSeconds * Stopwatch.Frequency);
            while (window.TryPeek(out var oldest) && now - oldest >= ticks)
            {
                window.Dequeue();
            }

            if (window.Count >= limit)
            {
                return false;
            }

            window.Enqueue(now);
            return true;
        }
    }
}

public sealed record StoredMedia(byte[] Bytes, string MimeType, string? FileName);

/// <summary>One line of a simulated chat: who wrote, what, and (for the business's messages) the delivery state.</summary>
public sealed class ChatLine
{
    public required string Wamid { get; init; }

    public required string From { get; init; }

    public required string Type { get; init; }

    public required string Summary { get; init; }

    public string? MediaId { get; init; }

    public IReadOnlyList<ChatButton> Buttons { get; init; } = [];

    public string Status { get; set; } = "";

    /// <summary>When the business last showed its typing indicator with the read mark of this message.</summary>
    public DateTimeOffset? TypingShownAt { get; set; }

    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
}

public sealed record ChatButton(string Id, string Title, string Kind);
