using System.Text.Json;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Processes one stored webhook: every entry × change × message × status × error, in one transaction
/// with the inbox row's new state, so a crash either keeps all of it or none (and the retry is
/// idempotent). Parts that cannot be routed quarantine the event; the rest is still processed.
/// </summary>
internal sealed class ProcessInboxEvent(InboxSealer inboxSealer, IngestMessage ingestMessage, ChannelDirectory channels, TimeProvider clock)
{
    public async Task<(InboxState State, string? Reason)> HandleAsync(SwitchboardDbContext db, InboxEvent inboxEvent, CancellationToken ct)
    {
        var body = await inboxSealer.OpenAsync(inboxEvent, ct);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return (InboxState.Quarantined, "unparseable");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.Get("entry") is not { ValueKind: JsonValueKind.Array })
            {
                return (InboxState.Quarantined, "unparseable");
            }

            string? reason = null;
            foreach (var entry in root.Array("entry"))
            {
                foreach (var change in entry.Array("changes"))
                {
                    var unroutable = await ProcessChangeAsync(db, inboxEvent, entry, change, ct);
                    reason ??= unroutable;
                }
            }

            return reason is null ? (InboxState.Processed, null) : (InboxState.Quarantined, reason);
        }
    }

    /// <returns>Null when processed; otherwise why it could not be routed.</returns>
    private async Task<string?> ProcessChangeAsync(SwitchboardDbContext db, InboxEvent inboxEvent, JsonElement entry, JsonElement change, CancellationToken ct)
    {
        var field = change.String("field") ?? "unknown";
        if (change.Get("value") is not { ValueKind: JsonValueKind.Object } value)
        {
            return "unparseable";
        }

        var phoneNumberId = value.Get("metadata")?.String("phone_number_id");
        if (phoneNumberId is null)
        {
            return await ProcessAccountFieldAsync(db, inboxEvent, entry, field, value, ct);
        }

        var channel = await ChannelRouter.ByPhoneNumberIdAsync(db, channels, phoneNumberId, inboxEvent.TenantId, ct);
        if (channel is null)
        {
            return "unknown-number";
        }

        if (channel.IsRevoked)
        {
            return "revoked-channel";
        }

        foreach (var message in value.Array("messages"))
        {
            await ingestMessage.HandleAsync(db, channel, value, message, inboxEvent.ReceivedAt, ct);
        }

        foreach (var status in value.Array("statuses"))
        {
            await IngestStatus.HandleAsync(db, channel, status, clock, ct);
        }

        foreach (var error in value.Array("errors"))
        {
            await RecordChannelEvent.HandleAsync(db, channel.TenantId, channel.Id, field, "error", error, error, inboxEvent.ReceivedAt, error.GetRawText(), clock, ct);
        }

        return null;
    }

    /// <summary>Fields without a phone number (account_update, template status, …) are routed by WABA id.</summary>
    private async Task<string?> ProcessAccountFieldAsync(SwitchboardDbContext db, InboxEvent inboxEvent, JsonElement entry, string field, JsonElement value, CancellationToken ct)
    {
        var wabaIds = new[] { entry.String("id"), value.Get("waba_info")?.String("waba_id") }.OfType<string>().ToList();
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
}
