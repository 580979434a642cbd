using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchboard.Common.Telemetry;

/// <summary>
/// The product's one meter and one activity source (ADR 0036). Labels and attributes carry ids, kinds,
/// outcomes and codes only: never message content, a customer's number or name.
/// </summary>
internal static class SwitchboardTelemetry
{
    public const string Name = "Switchboard";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private static readonly double[] LagBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

    /// <summary>Webhook POSTs by <c>outcome</c> (accepted, refused) and <c>reason</c>.</summary>
    public static readonly Counter<long> WebhookRequests = Meter.CreateCounter<long>(
        "switchboard.webhook.requests", "{request}", "Webhook POSTs by outcome and reason.");

    /// <summary>From the request's start to the answer, by <c>outcome</c>.</summary>
    public static readonly Histogram<double> WebhookAckDuration = Meter.CreateHistogram(
        "switchboard.webhook.ack.duration", "s", "Time to answer a webhook POST (the durable write included).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });

    /// <summary>From the event's receipt (its durable append) to the commit of its processing.</summary>
    public static readonly Histogram<double> ProcessingLag = Meter.CreateHistogram(
        "switchboard.webhook.processing.lag", "s", "Time from a webhook event's receipt to the commit of its processing.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LagBuckets });

    /// <summary>Webhook events finished by processing, by <c>state</c> (processed, quarantined).</summary>
    public static readonly Counter<long> WebhookEventsProcessed = Meter.CreateCounter<long>(
        "switchboard.webhook.events.processed", "{event}", "Webhook events finished by processing, by state.");

    /// <summary>Outbox items whose call (or the decision not to call) is over, by <c>outcome</c>.</summary>
    public static readonly Counter<long> Sends = Meter.CreateCounter<long>(
        "switchboard.outbox.sends", "{send}", "Outbox items by outcome: sent, failed, unknown, retry, pair-limited, token-expired.");

    /// <summary>Errors Meta answered a send or upload with, by <c>code</c>.</summary>
    public static readonly Counter<long> MetaErrors = Meter.CreateCounter<long>(
        "switchboard.meta.errors", "{error}", "Errors the Graph API answered with, by Meta's error code.");

    /// <summary>Job runner attempts by <c>job</c> and <c>outcome</c> (succeeded, failed, quarantined).</summary>
    public static readonly Counter<long> JobRuns = Meter.CreateCounter<long>(
        "switchboard.job.runs", "{run}", "Job runner attempts by job kind and outcome.");

    /// <summary>Tenants' event logs announced to this node's live streams, by <c>origin</c> (local commit, remote NOTIFY).</summary>
    public static readonly Counter<long> RealtimePublished = Meter.CreateCounter<long>(
        "switchboard.realtime.published", "{publication}", "Realtime publications to this node's streams, by origin.");

    private static Measurement<long>[] outboxDepth = [];

    /// <summary>Replies and read marks waiting or being sent, per business number (<c>phone_number_id</c>), from the last snapshot.</summary>
    public static readonly ObservableGauge<long> OutboxDepth = Meter.CreateObservableGauge(
        "switchboard.outbox.depth", () => Volatile.Read(ref outboxDepth), "{item}", "Outbox items pending or sending per business number (refreshed every few seconds).");

    /// <summary>Replaces the snapshot <see cref="OutboxDepth"/> reports; a scrape reads it without touching the database.</summary>
    public static void SetOutboxDepth(Measurement<long>[] snapshot) => Volatile.Write(ref outboxDepth, snapshot);

    /// <summary>The traceparent of the current activity when it is being recorded, to store with a queued item; otherwise null.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { Recorded: true } current ? current.Id : null;

    /// <summary>The context a stored traceparent names, or default.</summary>
    public static ActivityContext ContextOf(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
