using System.Text.Json;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Serialization;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Records one <c>statuses[]</c> item once per (number, wamid, status) and applies it to the message when
/// the message is known. The recipient's phone number is not kept: the wamid says which message it is.
/// Looks up nothing itself: the batch has loaded the statuses and messages of every wamid it registered.
/// </summary>
internal static class IngestStatus
{
    private const int MaxWamidLength = 256;

    /// <summary>Registers the status's wamid with the batch; false, registering nothing, for a status that can never be stored.</summary>
    public static bool Prepare(IngestBatch batch, Channel channel, JsonElement status)
    {
        if (!IsWellFormed(status))
        {
            return false;
        }

        batch.RegisterStatusWamid(channel.TenantId, channel.Id, status.String("id"));
        return true;
    }

    /// <summary>An object whose id, when present, is a string that fits a wamid (ADR 0018).</summary>
    public static bool IsWellFormed(JsonElement status) =>
        status.ValueKind == JsonValueKind.Object && status.IsStringOrAbsent("id")
        && (status.String("id") is not { } id || (id.Length <= MaxWamidLength && !id.Contains('\0', StringComparison.Ordinal)));

    public static void Handle(SwitchboardDbContext db, IngestBatch batch, Channel channel, JsonElement status, TimeProvider clock)
    {
        var wamid = status.String("id");
        var state = DeliveryStates.FromWebhook(status.String("status"));
        var timestamp = status.UnixTime("timestamp");
        if (wamid is null || state is null || timestamp is null)
        {
            return;
        }

        if (batch.SeenStatus(channel.TenantId, channel.Id, wamid, state.Value))
        {
            return;
        }

        var error = status.Array("errors").FirstOrDefault();
        var update = new StatusUpdate
        {
            TenantId = channel.TenantId,
            Id = Guid.CreateVersion7(),
            ChannelId = channel.Id,
            Wamid = wamid,
            Status = state.Value,
            Timestamp = timestamp.Value,
            ErrorCode = (int?)error.Long("code"),
            ErrorTitle = Json.Storable(error.String("title") ?? error.String("message"), 200),
            ErrorDetails = Json.Storable(error.Get("error_data")?.String("details"), 1000),
            PricingCategory = Json.Storable(status.Get("pricing")?.String("category"), 64),
            ReceivedAt = clock.GetUtcNow(),
        };
        db.StatusUpdates.Add(update);

        var message = batch.OutboundOf(channel.TenantId, channel.Id, wamid);
        if (message is null)
        {
            // Perhaps the reply's wamid is being recorded right now by the sender: checked again after the commit.
            batch.UnmatchedStatuses.Add((channel.TenantId, channel.Id, wamid));
        }
        else if (DeliveryStatuses.Apply(message, update.Status, update.Timestamp, update.ErrorCode, update.ErrorTitle))
        {
            RealtimeLog.Append(db, channel.TenantId, RealtimeEventTypes.MessageStatus, message.ConversationId, message.Id, DeliveryStates.Name(message.Status), update.ReceivedAt);
        }
    }
}
