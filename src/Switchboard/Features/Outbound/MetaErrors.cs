namespace Switchboard.Features.Outbound;

/// <summary>What Meta's error codes (FACTS.md §7) mean for the sender.</summary>
internal static class MetaErrors
{
    public const int ExpiredToken = 190;
    public const int PairRateLimit = 131056;
    public const int Throughput = 130429;

    /// <summary>Meta refused the request without acting on it and asks for a retry later.</summary>
    private static readonly HashSet<int> Retry = [1, 2, 4, 613, 80007, Throughput, 131016, 131057];

    public static bool IsRetryable(GraphOutcome.Rejected rejected) =>
        rejected.Code is { } code ? Retry.Contains(code) : GraphMessagesClient.IsRetryableHttp(rejected.HttpStatus);
}
