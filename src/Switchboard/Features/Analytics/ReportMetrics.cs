namespace Switchboard.Features.Analytics;

/// <summary>What a rollup row is kept for: the whole tenant, or one channel, team, agent or label of it.</summary>
internal static class ReportDimension
{
    public const string All = "all";
    public const string Channel = "channel";
    public const string Team = "team";
    public const string Agent = "agent";
    public const string Label = "label";
}

/// <summary>The counters the rollups keep (ADR 0030).</summary>
internal static class ReportMetric
{
    public const string Opened = "opened";
    public const string Reopened = "reopened";
    public const string Resolved = "resolved";
    public const string MessagesIn = "messages_in";
    public const string MessagesOut = "messages_out";

    /// <summary>Durations in seconds, one row per <see cref="DurationBuckets"/> bucket.</summary>
    public const string FirstResponse = "first_response";
    public const string Response = "response";
    public const string Resolution = "resolution";
    public const string QueueWait = "queue_wait";

    /// <summary>The same durations in business hours: the hours of the conversation's SLA policy, wall-clock time where it has none (ADR 0030).</summary>
    public const string FirstResponseBusiness = "first_response_bh";
    public const string ResponseBusiness = "response_bh";
    public const string ResolutionBusiness = "resolution_bh";

    /// <summary>Into a team's queue (+1) and out of it (-1): the waiting count at an hour's end is the sum up to it (<see cref="QueueCounting"/>).</summary>
    public const string Queue = "queue";

    /// <summary>An agent becoming online (+1) or leaving it (-1), with the seconds left in the hour as signed Sum (<see cref="AvailabilityCounting"/>).</summary>
    public const string Online = "online";

    /// <summary>Given to an agent (by routing or by hand); resolved while assigned to one.</summary>
    public const string Assigned = "assigned";
    public const string Handled = "handled";

    /// <summary>Service levels: a first response or resolution made within its due time, or after it.</summary>
    public const string SlaFirstResponseMet = "sla_first_met";
    public const string SlaFirstResponseMissed = "sla_first_missed";
    public const string SlaResolutionMet = "sla_resolution_met";
    public const string SlaResolutionMissed = "sla_resolution_missed";

    /// <summary>Replies by their current state, cumulative (a read reply counts as sent, delivered and read); failures per Meta error code.</summary>
    public const string RepliesSent = "replies_sent";
    public const string RepliesDelivered = "replies_delivered";
    public const string RepliesRead = "replies_read";
    public const string RepliesFailed = "replies_failed";

    /// <summary>Sent replies per Meta pricing category (<see cref="PricingCategories"/>).</summary>
    public const string Pricing = "pricing";

    /// <summary>Resolved by a bot without an agent. Nothing resolves as a bot yet: automation will write it.</summary>
    public const string BotContained = "bot_contained";

    /// <summary>Every metric: what a read that needs them all asks for (the rollups' keys lead with the metric, ADR 0049).</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Opened, Reopened, Resolved, MessagesIn, MessagesOut, FirstResponse, Response, Resolution, QueueWait, FirstResponseBusiness, ResponseBusiness, ResolutionBusiness,
        Queue, Online, Assigned, Handled, SlaFirstResponseMet, SlaFirstResponseMissed, SlaResolutionMet, SlaResolutionMissed, RepliesSent, RepliesDelivered, RepliesRead,
        RepliesFailed, Pricing, BotContained,
    ];

    /// <summary>The metrics the rebuild recounts from messages and statuses; the others are lifecycle facts only the rollups keep.</summary>
    public static readonly IReadOnlySet<string> Recountable = new HashSet<string>(StringComparer.Ordinal)
    {
        Opened, MessagesIn, MessagesOut, FirstResponse, Response, FirstResponseBusiness, ResponseBusiness, RepliesSent, RepliesDelivered, RepliesRead, RepliesFailed, Pricing,
    };
}

/// <summary>Meta's conversation pricing categories as rollup buckets; 0 is any other.</summary>
internal static class PricingCategories
{
    public static readonly IReadOnlyList<string> Names = ["other", "service", "utility", "marketing", "authentication", "authentication_international", "referral_conversion", "marketing_lite"];

    public static int Of(string category)
    {
        var index = Names.ToList().IndexOf(category.ToLowerInvariant());
        return index < 0 ? 0 : index;
    }

    public static string Name(int bucket) => bucket >= 0 && bucket < Names.Count ? Names[bucket] : Names[0];
}

/// <summary>
/// Fixed log-scale buckets for durations (ADR 0030): whole seconds below 64 s, then 16 buckets per
/// doubling (each about 4.4 % wide), so hours and days merge by adding counts, and a percentile is
/// the bucket of the value of that rank.
/// </summary>
internal static class DurationBuckets
{
    private const int Exact = 64;
    private const int PerDoubling = 16;

    public static int Of(long seconds) => seconds < Exact
        ? (int)Math.Max(0, seconds)
        : Exact + (int)Math.Floor(PerDoubling * Math.Log2(seconds / (double)Exact));

    /// <summary>The smallest whole second of the bucket: what a percentile in it reports.</summary>
    public static long LowerBound(int bucket)
    {
        if (bucket < Exact)
        {
            return bucket;
        }

        var bound = (long)Math.Ceiling(Exact * Math.Pow(2, (bucket - Exact) / (double)PerDoubling));
        while (Of(bound) < bucket)
        {
            bound++;
        }

        while (bound > Exact && Of(bound - 1) == bucket)
        {
            bound--;
        }

        return bound;
    }

    /// <summary>Whole seconds of open time from <paramref name="from"/> to <paramref name="to"/>; wall-clock seconds without a schedule.</summary>
    public static long BusinessSeconds(DateTimeOffset from, DateTimeOffset to, Routing.BusinessSchedule? schedule) => schedule is null
        ? Seconds(from, to)
        : Math.Max(0, (long)Math.Floor(Routing.BusinessClock.BusinessTimeBetween(from, to, schedule).TotalSeconds));

    /// <summary>Whole seconds from <paramref name="from"/> to <paramref name="to"/>, never below 0.</summary>
    public static long Seconds(DateTimeOffset from, DateTimeOffset to) => Math.Max(0, (long)Math.Floor((to - from).TotalSeconds));

    /// <summary>The nearest-rank percentile (0 &lt; p ≤ 1) of a histogram, as its bucket's lower bound; null when empty.</summary>
    public static long? Percentile(IReadOnlyDictionary<int, long> histogram, double p) => Percentiles(histogram, p)[0];

    /// <summary>Nearest-rank percentiles (each 0 &lt; p ≤ 1, ascending) of a histogram in one ordered pass, as their buckets' lower bounds; nulls when empty.</summary>
    public static long?[] Percentiles(IReadOnlyDictionary<int, long> histogram, params ReadOnlySpan<double> ps)
    {
        var found = new long?[ps.Length];
        long total = 0;
        foreach (var count in histogram.Values)
        {
            total += count;
        }

        if (total <= 0)
        {
            return found;
        }

        var buckets = histogram.Where(h => h.Value > 0).ToArray();
        Array.Sort(buckets, (a, b) => a.Key.CompareTo(b.Key));
        long seen = 0;
        var next = 0;
        foreach (var (bucket, count) in buckets)
        {
            seen += count;
            while (next < ps.Length && seen >= Math.Max(1, (long)Math.Ceiling(ps[next] * total)))
            {
                found[next++] = LowerBound(bucket);
            }

            if (next == ps.Length)
            {
                break;
            }
        }

        return found;
    }

    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);
}
