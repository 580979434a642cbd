namespace Switchboard.Features.Outbound;

/// <summary>The <c>Switchboard:Outbound</c> section.</summary>
internal sealed class OutboundOptions
{
    public const string Section = "Switchboard:Outbound";

    /// <summary>Attempts for a send that provably did not reach Meta, or that Meta asked to retry.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>First retry delay; each later one doubles (capped at 5 minutes).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Replies this node holds at once: leased and waiting for their paced slot (up to ~0.4 s of each
    /// number's rate), being sent, or having their outcome recorded. Ten numbers at 80/s hold about 350.
    /// </summary>
    public int MaxInFlight { get; set; } = 512;

    /// <summary>
    /// How long before its paced slot a reply asks to be marked Sending. Marks are committed in batches,
    /// so this is the time a batch has to commit before any of its calls is due; a crash loses at most
    /// this much of each number's sending to "unknown" instead of "not sent".
    /// </summary>
    public TimeSpan SendingMarkAhead { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a call may take before its outcome counts as unknown.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a call's timeout another node may conclude its sender died mid-call and mark the
    /// reply unknown.
    /// </summary>
    public TimeSpan SendingLeaseMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a node's lease on a number lasts unless renewed (ADR 0055): it is renewed every 30 % of
    /// this, and a node whose lease lapses is replaced by another after at most this long. At least 3 s.
    /// </summary>
    public TimeSpan NumberLease { get; set; } = TimeSpan.FromSeconds(5);
}
