using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Outbound;

/// <summary>One outbox item: commit "Sending", call Meta (upload first for media), record what happened.</summary>
internal sealed partial class SendOutboxItem(
    IDbContextFactory<SwitchboardDbContext> dbFactory,
    GraphMessagesClient graph,
    Sealer sealer,
    ContactKeys contactKeys,
    Pacer pacer,
    IOptions<OutboundOptions> options,
    TimeProvider clock,
    ILogger<SendOutboxItem> logger)
{
    public async Task HandleAsync(OutboxItem item, Channel channel, Guid nodeId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var contact = await db.Contacts.AsNoTracking().FirstAsync(c => c.TenantId == item.TenantId && c.Id == item.ContactId, ct);
        DataKey key;
        try
        {
            key = await contactKeys.KeyOfAsync(contact, ct);
        }
        catch (KeyDestroyedException)
        {
            await FailAsync(item, "erased", null, null, ct);
            return;
        }

        var token = await sealer.OpenAsync(ChannelSecrets.AccessTokenOf(channel), channel.AccessToken, ct);
        var request = Sealer.Open(key, item.SealContext(nameof(OutboxItem.Request)), item.Request);

        if (item.Upload is not null)
        {
            // Uploading twice has no effect a customer can see, so an unclear upload is simply retried.
            var file = Sealer.Open(key, item.SealContext(nameof(OutboxItem.Upload)), item.Upload);
            var upload = await graph.UploadAsync(channel.PhoneNumberId, token, file, item.UploadMimeType ?? "application/octet-stream", item.UploadFileName, ct);
            switch (upload)
            {
                case GraphOutcome.Accepted { Id: { } mediaId }:
                    request = GraphRequests.WithMediaId(request, mediaId);
                    break;
                case GraphOutcome.Rejected rejected when !MetaErrors.IsRetryable(rejected):
                    await HandleRejectedAsync(item, channel, rejected, ct);
                    return;
                default:
                    // Count the attempt (only the Sending mark counts calls otherwise), so a failing upload ends.
                    await using (var counting = await dbFactory.CreateDbContextAsync(ct))
                    {
                        await counting.OutboxItems.Where(o => o.TenantId == item.TenantId && o.Id == item.Id)
                            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Attempts, o => o.Attempts + 1), ct);
                    }

                    await RetryLaterAsync(item, "upload-" + Describe(upload), ct);
                    return;
            }
        }

        // The point of no return: from this commit on, a crash leaves the outcome unknown.
        var now = clock.GetUtcNow();
        var marked = await db.OutboxItems
            .Where(o => o.TenantId == item.TenantId && o.Id == item.Id && o.State == OutboxState.Pending && o.LeaseOwner == nodeId)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.State, OutboxState.Sending).SetProperty(o => o.Attempts, o => o.Attempts + 1).SetProperty(o => o.LeaseUntil, now + options.Value.SendTimeout + options.Value.SendingLeaseMargin), ct);
        if (marked == 0)
        {
            return;
        }

        await pacer.GateAsync(channel.Id, channel.MessagesPerSecond, ct);
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

        switch (outcome)
        {
            case GraphOutcome.Accepted accepted:
                await AcceptedAsync(item, accepted.Id, ct);
                break;
            case GraphOutcome.Rejected rejected when MetaErrors.IsRetryable(rejected):
                if (rejected.Code == MetaErrors.Throughput)
                {
                    pacer.Slow(channel.Id, TimeSpan.FromSeconds(1));
                }

                await RetryLaterAsync(item, $"meta-{rejected.Code ?? rejected.HttpStatus}", ct);
                break;
            case GraphOutcome.Rejected rejected:
                await HandleRejectedAsync(item, channel, rejected, ct);
                break;
            case GraphOutcome.NotSent notSent:
                await RetryLaterAsync(item, "not-sent-" + notSent.Reason, ct);
                break;
            case GraphOutcome.Unknown unknown:
                await MarkUnknownAsync(item, unknown.Reason, ct);
                break;
        }
    }

    public async Task FailAsync(OutboxItem item, string reason, int? code, string? title, CancellationToken ct)
    {
        await FinishAsync(item, OutboxState.Failed, reason, DeliveryState.Failed, code, title ?? reason, wamid: null, ct);
        LogFailed(item.Id, reason, code);
    }

    public async Task MarkUnknownAsync(OutboxItem item, string reason, CancellationToken ct)
    {
        await FinishAsync(item, OutboxState.Unknown, reason, DeliveryState.Unknown, null, null, wamid: null, ct);
        LogUnknown(item.Id, reason);
    }

    private Task AcceptedAsync(OutboxItem item, string? wamid, CancellationToken ct) =>
        FinishAsync(item, OutboxState.Done, null, null, null, null, wamid, ct);

    private async Task HandleRejectedAsync(OutboxItem item, Channel channel, GraphOutcome.Rejected rejected, CancellationToken ct)
    {
        if (rejected.Code == MetaErrors.PairRateLimit)
        {
            await BackOffContactAsync(item, ct);
            return;
        }

        if (rejected.Code is null && rejected.HttpStatus >= 500)
        {
            // A server error without Meta's error body says nothing about whether the message went out.
            await MarkUnknownAsync(item, $"http-{rejected.HttpStatus}", ct);
            return;
        }

        if (rejected.Code == MetaErrors.ExpiredToken)
        {
            // The token is no good: pause the whole number until someone rotates it, and keep the reply queued.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            await db.Channels.Where(c => c.TenantId == channel.TenantId && c.Id == channel.Id && c.Status == ChannelStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, ChannelStatus.NeedsReauthorization).SetProperty(c => c.UpdatedAt, clock.GetUtcNow()), ct);
            await ReleaseAsync(item, clock.GetUtcNow() + TimeSpan.FromSeconds(30), "meta-190", ct);
            return;
        }

        await FailAsync(item, $"meta-{rejected.Code ?? rejected.HttpStatus}", rejected.Code, rejected.Title, ct);
    }

    private async Task BackOffContactAsync(OutboxItem item, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var contact = await db.Contacts.FirstAsync(c => c.TenantId == item.TenantId && c.Id == item.ContactId, ct);
        var until = clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(3600, Math.Pow(4, contact.SendBackoffLevel)));
        contact.SendBackoffLevel++;
        contact.SendBackoffUntil = until;
        await db.SaveChangesAsync(ct);
        await ReleaseAsync(item, until, "meta-131056", ct);
    }

    private async Task RetryLaterAsync(OutboxItem item, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var attempts = await db.OutboxItems.Where(o => o.TenantId == item.TenantId && o.Id == item.Id).Select(o => o.Attempts).FirstAsync(ct);
        if (attempts >= options.Value.MaxAttempts)
        {
            await FailAsync(item, reason, null, "Could not be sent after several attempts.", ct);
            return;
        }

        var delay = TimeSpan.FromSeconds(Math.Min(300, options.Value.RetryBaseDelay.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1))));
        await ReleaseAsync(item, clock.GetUtcNow() + delay, reason, ct);
    }

    /// <summary>Back to Pending (it was not delivered), to be picked up again at <paramref name="next"/>.</summary>
    private async Task ReleaseAsync(OutboxItem item, DateTimeOffset next, string reason, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.OutboxItems.Where(o => o.TenantId == item.TenantId && o.Id == item.Id)
            .ExecuteUpdateAsync(s => s
                .SetProperty(o => o.State, OutboxState.Pending)
                .SetProperty(o => o.NextAttemptAt, next)
                .SetProperty(o => o.LastError, reason)
                .SetProperty(o => o.LeaseOwner, (Guid?)null)
                .SetProperty(o => o.LeaseUntil, (DateTimeOffset?)null), ct);
    }

    private async Task FinishAsync(OutboxItem item, OutboxState state, string? reason, DeliveryState? messageState, int? code, string? title, string? wamid, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = clock.GetUtcNow();
        var row = await db.OutboxItems.FirstAsync(o => o.TenantId == item.TenantId && o.Id == item.Id, ct);
        row.State = state;
        row.LastError = reason;
        row.CompletedAt = now;
        row.LeaseOwner = null;
        row.LeaseUntil = null;
        if (item.MessageId is { } messageId)
        {
            var message = await db.Messages.FirstAsync(m => m.TenantId == item.TenantId && m.Id == messageId, ct);
            if (wamid is not null)
            {
                message.Wamid = wamid;
                await DeliveryStatuses.ReconcileAsync(db, message, ct);
            }

            if (messageState is { } newState)
            {
                message.Status = newState;
                message.StatusAt = now;
                message.ErrorCode = code;
                message.ErrorTitle = title?.Length > 200 ? title[..200] : title;
            }

            await db.SaveChangesAsync(ct);
            await RealtimeLog.AppendAsync(db, item.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), now, ct);
        }

        if (wamid is not null)
        {
            await db.Contacts.Where(c => c.TenantId == item.TenantId && c.Id == item.ContactId && c.SendBackoffLevel > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.SendBackoffLevel, 0).SetProperty(c => c.SendBackoffUntil, (DateTimeOffset?)null), ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static string Describe(GraphOutcome outcome) => outcome switch
    {
        GraphOutcome.NotSent n => "not-sent-" + n.Reason,
        GraphOutcome.Unknown u => "unknown-" + u.Reason,
        GraphOutcome.Rejected r => $"meta-{r.Code ?? r.HttpStatus}",
        _ => "no-id",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox item {ItemId} failed: {Reason} (Meta code {Code})")]
    private partial void LogFailed(Guid itemId, string reason, int? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox item {ItemId}: outcome unknown ({Reason}); marked for an agent, not resent")]
    private partial void LogUnknown(Guid itemId, string reason);
}
