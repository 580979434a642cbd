using System.Diagnostics;
using System.Text.Json;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Serialization;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Processes a batch of stored webhooks — every entry × change × message × status × error — in the
/// caller's transaction, with the inbox rows' new states, so a crash either keeps all of it or none (and
/// the retry is idempotent). Four steps: open and parse every event; route its changes and register what
/// they will look up; load all of that at once (<see cref="InboundBatch"/>); hand the events in arrival
/// order to the <see cref="ConversationLedger"/>. Parts that cannot be routed quarantine their event; the rest is still processed.
/// </summary>
internal sealed class ProcessWebhookBatch(WebhookSealer inboxSealer, IngestMessage ingestMessage, ConversationLedger ledger, ChannelDirectory channels, TimeProvider clock)
{
    /// <summary>
    /// Applies the events to <paramref name="db"/> (the caller saves and commits) and returns each event's
    /// outcome, in order. Returns the batch so the caller can finish it after the commit — and release its
    /// creation lock (<paramref name="creation"/>, given when several loops share this node).
    /// </summary>
    public async Task<(IReadOnlyList<(WebhookEventState State, string? Reason)> Outcomes, InboundBatch Batch, BatchTimings Timings)> HandleAsync(
        SwitchboardDbContext db, IReadOnlyList<WebhookEvent> events, SemaphoreSlim? creation, CancellationToken ct)
    {
        var batch = ledger.NewBatch();
        var timings = new BatchTimings();
        var parsed = new List<Parsed>(events.Count);
        try
        {
            var started = Stopwatch.GetTimestamp();
            foreach (var inboxEvent in events)
            {
                parsed.Add(await ParseAsync(db, batch, inboxEvent, ct));
            }

            timings.Parse = Stopwatch.GetElapsedTime(started);
            await batch.LoadAsync(db, creation, ct);
            timings.Load = Stopwatch.GetElapsedTime(started) - timings.Parse;

            var outcomes = new List<(WebhookEventState, string?)>(events.Count);
            foreach (var item in parsed)
            {
                outcomes.Add(await ApplyAsync(db, batch, item, ct));
            }

            timings.Apply = Stopwatch.GetElapsedTime(started) - timings.Parse - timings.Load;
            return (outcomes, batch, timings);
        }
        catch
        {
            batch.ReleaseCreationLock();
            throw;
        }
        finally
        {
            foreach (var item in parsed)
            {
                item.Document?.Dispose();
            }
        }
    }

    /// <summary>Opens, parses and routes one event, and registers its lookups with the batch.</summary>
    private async Task<Parsed> ParseAsync(SwitchboardDbContext db, InboundBatch batch, WebhookEvent inboxEvent, CancellationToken ct)
    {
        byte[] body;
        try
        {
            body = await inboxSealer.OpenAsync(inboxEvent, ct);
        }
        catch (KeyDestroyedException)
        {
            return new Parsed(inboxEvent, null, [], "tenant-erased");
        }

        // Invalid UTF-8 and lone surrogate escapes (valid JSON, as Meta escapes text) read as U+FFFD instead
        // of failing every read of that string; a valid body is only scanned (ADR 0018).
        if (!System.Text.Unicode.Utf8.IsValid(body))
        {
            body = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(body));
        }

        LenientJson.RepairLoneSurrogates(body);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return new Parsed(inboxEvent, null, [], "unparseable");
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || root.Get("entry") is not { ValueKind: JsonValueKind.Array })
        {
            return new Parsed(inboxEvent, document, [], "unparseable");
        }

        var changes = new List<Change>();
        foreach (var entry in root.Array("entry"))
        {
            foreach (var change in entry.Array("changes"))
            {
                var field = change.String("field") ?? "unknown";
                if (change.Get("value") is not { ValueKind: JsonValueKind.Object } value)
                {
                    changes.Add(new Change(entry, field, default, null, "unparseable", null));
                    continue;
                }

                // Storable: an id PostgreSQL cannot even compare (NUL) matches no number.
                var phoneNumberId = LenientJson.Storable(value.Get("metadata")?.String("phone_number_id"), 256);
                if (phoneNumberId is null)
                {
                    changes.Add(new Change(entry, field, value, null, null, null));
                    continue;
                }

                var channel = await ChannelRouter.ByPhoneNumberIdAsync(db, channels, phoneNumberId, inboxEvent.TenantId, ct);
                var unroutable = channel is null ? "unknown-number" : channel.IsRevoked ? "revoked-channel" : null;
                if (unroutable is not null)
                {
                    changes.Add(new Change(entry, field, value, channel, unroutable, null));
                    continue;
                }

                // Malformed items are left out here and skipped when applying; they quarantine the event, once.
                string? malformed = null;
                foreach (var message in value.Array("messages"))
                {
                    if (!await IngestMessage.PrepareAsync(batch, channel!, value, message, ct))
                    {
                        malformed ??= "malformed-message";
                    }
                }

                foreach (var status in value.Array("statuses"))
                {
                    if (!IngestStatus.Prepare(batch, channel!, status))
                    {
                        malformed ??= "malformed-status";
                    }
                }

                changes.Add(new Change(entry, field, value, channel, null, malformed));
            }
        }

        return new Parsed(inboxEvent, document, changes, null);
    }

    private async Task<(WebhookEventState State, string? Reason)> ApplyAsync(SwitchboardDbContext db, InboundBatch batch, Parsed item, CancellationToken ct)
    {
        if (item.Failure is not null)
        {
            return (WebhookEventState.Quarantined, item.Failure);
        }

        string? reason = null;
        foreach (var change in item.Changes)
        {
            var unroutable = change.Unroutable;
            if (unroutable is null && change.Channel is null)
            {
                unroutable = await ProcessAccountFieldAsync(db, item.Event, change.Entry, change.Field, change.Value, ct);
            }
            else if (unroutable is null)
            {
                await ProcessChangeAsync(db, batch, item.Event, change, ct);
            }

            reason ??= unroutable ?? change.Malformed;
        }

        return reason is null ? (WebhookEventState.Processed, null) : (WebhookEventState.Quarantined, reason);
    }

    private async Task ProcessChangeAsync(SwitchboardDbContext db, InboundBatch batch, WebhookEvent inboxEvent, Change change, CancellationToken ct)
    {
        var (channel, value) = (change.Channel!, change.Value);
        foreach (var message in value.Array("messages"))
        {
            // The shape check is repeated only in a change that had a malformed item.
            if (change.Malformed is null || IngestMessage.IsWellFormed(value, message, out _))
            {
                await ingestMessage.HandleAsync(db, batch, channel, value, message, inboxEvent.ReceivedAt, ct);
            }
        }

        foreach (var status in value.Array("statuses"))
        {
            if (change.Malformed is null || IngestStatus.IsWellFormed(status))
            {
                IngestStatus.Handle(db, ledger, batch, channel, status);
            }
        }

        foreach (var error in value.Array("errors"))
        {
            await RecordChannelEvent.HandleAsync(db, channel.TenantId, channel.Id, change.Field, "error", error, error, inboxEvent.ReceivedAt, error.GetRawText(), clock, ct);
        }
    }

    /// <summary>Fields without a phone number (account_update, template status, …) are routed by WABA id.</summary>
    private async Task<string?> ProcessAccountFieldAsync(SwitchboardDbContext db, WebhookEvent inboxEvent, JsonElement entry, string field, JsonElement value, CancellationToken ct)
    {
        var wabaIds = new[] { entry.String("id"), value.Get("waba_info")?.String("waba_id") }.Select(id => LenientJson.Storable(id, 256)).OfType<string>().ToList();
        var channels = await ChannelRouter.ByWabaIdAsync(db, wabaIds, inboxEvent.TenantId, ct);
        if (inboxEvent.TenantId is null && channels.Select(c => c.TenantId).Distinct().Count() > 1)
        {
            // Numbers of this account belong to several tenants: never guess which one it is about.
            return "ambiguous-account";
        }

        var tenantId = inboxEvent.TenantId ?? channels.Select(c => (Guid?)c.TenantId).FirstOrDefault();
        if (tenantId is null)
        {
            return "unknown-account";
        }

        channels = [.. channels.Where(c => c.TenantId == tenantId)];
        var eventName = value.String("event") ?? field;
        var occurredAt = entry.UnixTime("time") ?? inboxEvent.ReceivedAt;
        var dedupeSource = $"{entry.String("id")}|{entry.String("time")}|{value.GetRawText()}";
        var channelId = channels.Count == 1 ? channels[0].Id : (Guid?)null;
        if (field == "account_update")
        {
            RecordChannelEvent.ApplyAccountUpdate(channels, eventName, value, clock);
        }

        await RecordChannelEvent.HandleAsync(db, tenantId.Value, channelId, field, eventName, value.Array("errors").FirstOrDefault() is { ValueKind: JsonValueKind.Object } e ? e : null, value, occurredAt, dedupeSource, clock, ct);
        return null;
    }

    /// <summary>One event, opened and routed; <see cref="Failure"/> quarantines it whole.</summary>
    private sealed record Parsed(WebhookEvent Event, JsonDocument? Document, List<Change> Changes, string? Failure);

    /// <summary>One change of an event: routed to a channel, account-level (no channel), or unroutable; <see cref="Malformed"/> says why some of its items are skipped.</summary>
    private sealed record Change(JsonElement Entry, string Field, JsonElement Value, Channel? Channel, string? Unroutable, string? Malformed);
}

/// <summary>Where a batch's time went, for the processor's debug log.</summary>
internal sealed class BatchTimings
{
    public TimeSpan Claim { get; set; }

    public TimeSpan Parse { get; set; }

    public TimeSpan Load { get; set; }

    public TimeSpan Apply { get; set; }

    public TimeSpan Write { get; set; }

    public TimeSpan Commit { get; set; }
}
