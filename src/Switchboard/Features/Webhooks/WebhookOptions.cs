namespace Switchboard.Features.Webhooks;

/// <summary>The <c>Switchboard:Webhooks</c> section.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Switchboard:Webhooks";

    /// <summary>Meta's documented maximum webhook payload.</summary>
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>How long raw events are kept after processing (Meta retries for up to 7 days).</summary>
    public TimeSpan ReplayWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long quarantined events wait for the operator before they are purged.</summary>
    public TimeSpan QuarantineRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Webhooks waiting for the group commit beyond this many are answered 503 at once.</summary>
    public int MaxPendingAppends { get; set; } = 10_000;

    /// <summary>Most events written in one commit.</summary>
    public int MaxBatch { get; set; } = 512;

    /// <summary>
    /// Under load, commits of the inbox start at most this often (ADR 0069): each commit then covers what arrived meanwhile.
    /// Zero commits whenever the previous commit is done.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>A webhook not durably stored within this time is answered 503 (Meta will retry).</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most events claimed and processed in one transaction.</summary>
    public int ProcessBatch { get; set; } = 256;

    /// <summary>
    /// Processing loops per node on PostgreSQL. Two by default: while one waits for the database the other
    /// uses the CPU, and since claims lock rows (ADR 0015) they never take the same events. Measured on two
    /// cores (docs/benchmarks.md): 5,000 messages/s from 20,000 returning customers are processed with lag
    /// p99 under 0.3 s by two loops, while one falls behind at about 3,700/s. When the same few customers
    /// write in every batch, the loops partly wait for each other's locked conversations. SQLite always
    /// uses one (one writer at a time).
    /// </summary>
    public int ProcessorConcurrency { get; set; } = 2;

    /// <summary>Processing attempts before an event is quarantined as processing-failed.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Verify token for the shared platform URL's handshake (optional).</summary>
    public string? PlatformVerifyToken { get; set; }
}
