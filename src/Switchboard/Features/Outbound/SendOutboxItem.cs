using System.Diagnostics;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Jobs;
using Switchboard.Common.Telemetry;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>A leased outbox item with what sending it needs, and the paced slot reserved for it.</summary>
internal sealed record ClaimedItem(OutboxItem Item, Channel Channel, Contact Contact, long Slot);

/// <summary>
/// One outbox item: prepare (upload first for media), wait until its slot is near, get it committed as
/// Sending (in a batch, by the <see cref="SendJournal"/>), pass the pacing gate, call Meta, and hand what
/// happened to the writer; returns once that is committed.
/// </summary>
internal sealed class SendOutboxItem(
    GraphMessagesClient graph,
    ContactKeys contactKeys,
    ChannelTokens tokens,
    SendJournal writer,
    Pacer pacer,
    NumberLeases leases,
    IOptions<OutboundOptions> options,
    TimeProvider clock)
{
    /// <summary>Meta's pair rate limit (131056) asks for 4^n seconds before the next message to that customer.</summary>
    internal static Backoff PairBackoff { get; } = new(TimeSpan.FromSeconds(1), 4, TimeSpan.FromHours(1));

    public async Task HandleAsync(ClaimedItem claimed, Guid nodeId, CancellationToken ct)
    {
        // The trace of the request that queued the reply goes on here, through the Graph call (ADR 0036).
        using var activity = SwitchboardTelemetry.Source.HasListeners()
            ? SwitchboardTelemetry.Source.StartActivity("outbox send", ActivityKind.Producer, SwitchboardTelemetry.ContextOf(claimed.Item.TraceParent))
            : null;
        activity?.SetTag("switchboard.tenant_id", claimed.Item.TenantId);
        activity?.SetTag("switchboard.channel_id", claimed.Item.ChannelId);
        if (await SendAsync(claimed, nodeId, ct) is { } outcome)
        {
            activity?.SetTag("switchboard.outcome", SendJournal.OutcomeLabel(outcome));
            await writer.RecordAsync(outcome);
        }
    }

    private async Task<OutboxOutcome?> SendAsync(ClaimedItem claimed, Guid nodeId, CancellationToken ct)
    {
        var (item, channel, contact, slot) = claimed;
        DataKey key;
        try
        {
            key = await contactKeys.KeyOfAsync(contact, ct);
        }
        catch (KeyDestroyedException)
        {
            return OutboxOutcome.Failed(item, "erased", null, null);
        }

        var token = await tokens.OpenAsync(channel, ct);
        var request = Sealer.Open(key, item.SealContext(nameof(OutboxItem.Request)), item.Request);

        if (item.Upload is not null)
        {
            // Uploading twice has no effect a customer can see, so an unclear upload is simply retried.
            var file = Sealer.Open(key, item.SealContext(nameof(OutboxItem.Upload)), item.Upload);
            GraphOutcome upload;
            try
            {
                upload = await graph.UploadAsync(channel.PhoneNumberId, token, file, item.UploadMimeType ?? "application/octet-stream", item.UploadFileName, ct);
                if (upload is GraphOutcome.Accepted { Id: { } mediaId })
                {
                    request = GraphRequests.WithMediaId(request, mediaId);
                }
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or System.Text.Json.JsonException)
            {
                // A reply that cannot be turned into a request never will be: fail it now rather than retry it forever.
                return OutboxOutcome.Failed(item, "unsendable", null, "The reply could not be prepared for sending.");
            }

            switch (upload)
            {
                case GraphOutcome.Accepted { Id: not null }:
                    break;
                case GraphOutcome.Rejected rejected when !MetaErrors.IsRetryable(rejected):
                    return Rejected(item, contact, rejected);
                default:
                    // Count the attempt (only the Sending mark counts calls otherwise), so a failing upload ends.
                    return RetryLater(item, "upload-" + Describe(upload), countAttempt: true);
            }
        }

        await DelayAsync(pacer.Until(slot) - options.Value.SendingMarkAhead, ct);
        if (!leases.MaySend(channel.Id))
        {
            // Another node may pace this number now (ADR 0055); the reply goes back to the queue untouched.
            return OutboxOutcome.Release(item, clock.GetUtcNow(), "number-lease-lost");
        }

        switch (await writer.MarkSendingAsync(item, nodeId, ct))
        {
            case MarkResult.NotMarked:
                return null;
            case MarkResult.Failed:
                // Not called, whatever the database kept: back to the queue once it is back, unless another node took it (ADR 0059).
                return OutboxOutcome.Unmarked(item, nodeId, clock.GetUtcNow());
        }

        // Committed as Sending: from here on a crash leaves the outcome unknown.
        long call;
        try
        {
            await DelayAsync(pacer.Until(slot), ct);
            call = await pacer.GateAsync(channel.Id, channel.MessagesPerSecond, slot, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The node is stopping and the call has not started: it provably did not reach Meta.
            return OutboxOutcome.Release(item, clock.GetUtcNow(), "stopped-before-call");
        }

        if (!leases.MaySend(channel.Id))
        {
            // The lease ran low while the call waited for its slot: it has not started, so it provably did not reach Meta.
            pacer.Answered(channel.Id, call);
            return OutboxOutcome.Release(item, clock.GetUtcNow(), "number-lease-lost");
        }

        var calledAt = clock.GetUtcNow();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.SendTimeout);
        GraphOutcome outcome;
        try
        {
            outcome = await graph.SendAsync(channel.PhoneNumberId, token, request, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            outcome = new GraphOutcome.Unknown("timeout");
        }
        finally
        {
            pacer.Answered(channel.Id, call);
        }

        return Classify(item, channel, contact, outcome) with { CalledAt = calledAt };
    }

    private OutboxOutcome Classify(OutboxItem item, Channel channel, Contact contact, GraphOutcome outcome)
    {
        switch (outcome)
        {
            case GraphOutcome.Accepted accepted:
                return OutboxOutcome.Accepted(item, accepted.Id);
            case GraphOutcome.Rejected rejected when MetaErrors.IsRetryable(rejected):
                if (rejected.Code == MetaErrors.Throughput)
                {
                    pacer.Slow(channel.Id, TimeSpan.FromSeconds(1));
                }

                return RetryLater(item, $"meta-{rejected.Code ?? rejected.HttpStatus}");
            case GraphOutcome.Rejected rejected:
                return Rejected(item, contact, rejected);
            case GraphOutcome.NotSent notSent:
                return RetryLater(item, "not-sent-" + notSent.Reason);
            case GraphOutcome.Unknown unknown:
                return OutboxOutcome.Unknown(item, unknown.Reason);
            default:
                return OutboxOutcome.Unknown(item, "unclassified");
        }
    }

    private OutboxOutcome Rejected(OutboxItem item, Contact contact, GraphOutcome.Rejected rejected)
    {
        var now = clock.GetUtcNow();
        if (rejected.Code == MetaErrors.PairRateLimit)
        {
            // Meta asks for 4^n seconds before the next message to this customer.
            return OutboxOutcome.PairLimited(item, now + PairBackoff.After(contact.SendBackoffLevel + 1));
        }

        if (rejected.Code is null && rejected.HttpStatus >= 500)
        {
            // A server error without Meta's error body says nothing about whether the message went out.
            return OutboxOutcome.Unknown(item, $"http-{rejected.HttpStatus}");
        }

        if (rejected.Code == MetaErrors.ExpiredToken)
        {
            // The token is no good: pause the whole number until someone rotates it, and keep the reply queued.
            return OutboxOutcome.TokenExpired(item, now + TimeSpan.FromSeconds(30));
        }

        return OutboxOutcome.Failed(item, $"meta-{rejected.Code ?? rejected.HttpStatus}", rejected.Code, rejected.Title);
    }

    /// <summary>Another attempt later, doubling the wait, unless this was the last one.</summary>
    private OutboxOutcome RetryLater(OutboxItem item, string reason, bool countAttempt = false)
    {
        // The item was loaded before this attempt was counted (by its Sending mark, or here for an upload).
        var attempts = item.Attempts + 1;
        if (attempts >= options.Value.MaxAttempts)
        {
            return OutboxOutcome.Failed(item, reason, null, "Could not be sent after several attempts.");
        }

        var delay = OutboxSender.RetryBackoff(options.Value.RetryBaseDelay).After(attempts);
        return OutboxOutcome.Release(item, clock.GetUtcNow() + delay, reason, countAttempt);
    }

    private async Task DelayAsync(TimeSpan wait, CancellationToken ct)
    {
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, ct);
        }
    }

    private static string Describe(GraphOutcome outcome) => outcome switch
    {
        GraphOutcome.NotSent n => "not-sent-" + n.Reason,
        GraphOutcome.Unknown u => "unknown-" + u.Reason,
        GraphOutcome.Rejected r => $"meta-{r.Code ?? r.HttpStatus}",
        _ => "no-id",
    };
}
