namespace Switchboard.Features.Outbound;

/// <summary>The <c>Switchboard:Outbound</c> section.</summary>
internal sealed class OutboundOptions
{
    public const string Section = "Switchboard:Outbound";

    /// <summary>Attempts for a send that provably did not reach Meta, or that Meta asked to retry.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>First retry delay; each later one doubles (capped at 5 minutes).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Graph calls in flight at once on this node.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>How long a call may take before its outcome counts as unknown.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after a call's timeout another node may conclude its sender died mid-call and mark the
    /// reply unknown.
    /// </summary>
    public TimeSpan SendingLeaseMargin { get; set; } = TimeSpan.FromMinutes(1);
}
