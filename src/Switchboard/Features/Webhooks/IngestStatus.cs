using System.Text.Json;
using Switchboard.Common.Persistence;
using Switchboard.Common.Serialization;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Parses one <c>statuses[]</c> item for the <see cref="ConversationLedger"/>, which records it once per
/// (number, wamid, status) and applies it to the message when the message is known. The recipient's
/// phone number is not kept: the wamid says which message it is.
/// </summary>
internal static class IngestStatus
{
    private const int MaxWamidLength = 256;

    /// <summary>Registers the status's wamid with the batch; false, registering nothing, for a status that can never be stored.</summary>
    public static bool Prepare(InboundBatch batch, Channel channel, JsonElement status)
    {
        if (!IsWellFormed(status))
        {
            return false;
        }

        ConversationLedger.RegisterStatus(batch, channel.TenantId, channel.Id, status.String("id"));
        return true;
    }

    /// <summary>An object whose id, when present, is a string that fits a wamid (ADR 0018).</summary>
    public static bool IsWellFormed(JsonElement status) =>
        status.ValueKind == JsonValueKind.Object && status.IsStringOrAbsent("id")
        && (status.String("id") is not { } id || (id.Length <= MaxWamidLength && !id.Contains('\0', StringComparison.Ordinal)));

    public static void Handle(SwitchboardDbContext db, ConversationLedger ledger, InboundBatch batch, Channel channel, JsonElement status)
    {
        var wamid = status.String("id");
        var state = DeliveryStates.FromWebhook(status.String("status"));
        var timestamp = status.UnixTime("timestamp");
        if (wamid is null || state is null || timestamp is null)
        {
            return;
        }

        var error = status.Array("errors").FirstOrDefault();
        ledger.RecordStatus(db, batch, new InboundStatus(
            channel.TenantId,
            channel.Id,
            wamid,
            state.Value,
            timestamp.Value,
            (int?)error.Long("code"),
            LenientJson.Storable(error.String("title") ?? error.String("message"), 200),
            LenientJson.Storable(error.Get("error_data")?.String("details"), 1000),
            LenientJson.Storable(status.Get("pricing")?.String("category"), 64)));
    }
}
