using System.Text;
using System.Text.Json;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Builds Cloud API webhook bodies in Meta's documented shape, for tests that need many or varied ones.</summary>
public static class WebhookPayloads
{
    private static readonly JsonSerializerOptions SkipNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public sealed record Inbound(string Wamid, string From, string Body, long Timestamp, string Name = "Customer");

    public sealed record Status(string Wamid, string State, long Timestamp, int? ErrorCode = null, string? ErrorTitle = null, string? ErrorDetails = null);

    public static byte[] Messages(string phoneNumberId, params Inbound[] messages) => Envelope(
        [[Change(phoneNumberId, contacts: messages.DistinctBy(m => m.From).Select(m => new { profile = new { name = m.Name }, wa_id = m.From }), messages: messages.Select(m => (object)new
        {
            from = m.From,
            id = m.Wamid,
            timestamp = m.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            type = "text",
            text = new { body = m.Body },
        }))]]);

    public static byte[] Statuses(string phoneNumberId, params Status[] statuses) => Envelope(
        [[Change(phoneNumberId, statuses: statuses.Select(s => (object)new
        {
            id = s.Wamid,
            status = s.State,
            timestamp = s.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            recipient_id = "16505551234",
            errors = s.ErrorCode is null ? null : new[] { new { code = s.ErrorCode, title = s.ErrorTitle, message = s.ErrorTitle, error_data = s.ErrorDetails is null ? null : new { details = s.ErrorDetails } } },
        }))]]);

    /// <summary>Several entries, each with several changes: the batching Meta does (up to 1,000 updates a POST).</summary>
    public static byte[] Envelope(IEnumerable<IEnumerable<object>> entries) => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
    {
        @object = "whatsapp_business_account",
        entry = entries.Select(changes => new { id = "102290129340398", changes }),
    }, SkipNulls));

    public static object Change(string phoneNumberId, IEnumerable<object>? contacts = null, IEnumerable<object>? messages = null, IEnumerable<object>? statuses = null) => new
    {
        field = "messages",
        value = new
        {
            messaging_product = "whatsapp",
            metadata = new { display_phone_number = "15550783881", phone_number_id = phoneNumberId },
            contacts = contacts?.ToArray(),
            messages = messages?.ToArray(),
            statuses = statuses?.ToArray(),
        },
    };

    public static Inbound Text(string body, long? timestamp = null, string from = "16505551234") =>
        new("wamid." + Guid.NewGuid().ToString("N"), from, body, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds());
}
