namespace CloudApiSimulator;

/// <summary>Webhook bodies in the shape Meta documents (field = "messages").</summary>
public static class Payloads
{
    public static object Envelope(SimulatedNumber number, object value) => new
    {
        @object = "whatsapp_business_account",
        entry = new[]
        {
            new { id = number.WabaId, changes = new[] { new { value, field = "messages" } } },
        },
    };

    public static object Inbound(SimulatedNumber number, string customer, string name, Dictionary<string, object?> message) => Envelope(number, new
    {
        messaging_product = "whatsapp",
        metadata = new { display_phone_number = Digits(number.DisplayPhoneNumber), phone_number_id = number.PhoneNumberId },
        contacts = new[] { new { profile = new { name }, wa_id = customer } },
        messages = new[] { message },
    });

    public static object Status(SimulatedNumber number, string wamid, string status, string recipient, int? errorCode = null, string? errorTitle = null)
    {
        var item = new Dictionary<string, object?>
        {
            ["id"] = wamid,
            ["status"] = status,
            ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["recipient_id"] = recipient,
        };
        if (status == "sent")
        {
            item["pricing"] = new { billable = false, pricing_model = "PMP", type = "free_customer_service", category = "service" };
        }

        if (errorCode is { } code)
        {
            item["errors"] = new[] { new { code, title = errorTitle, message = errorTitle, error_data = new { details = errorTitle }, href = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/" } };
        }

        return Envelope(number, new
        {
            messaging_product = "whatsapp",
            metadata = new { display_phone_number = Digits(number.DisplayPhoneNumber), phone_number_id = number.PhoneNumberId },
            statuses = new[] { item },
        });
    }

    public static string NewWamid() => "wamid.SIM" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Timestamp() => DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Digits(string value) => string.Concat(value.Where(char.IsAsciiDigit));
}
