using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchboard.Bench;

internal sealed record Customer(string WaId, string Name);

internal sealed record InboundText(string Wamid, Customer From, string Body, DateTimeOffset Timestamp);

/// <summary>A webhook body, its <c>X-Hub-Signature-256</c> header value, and the wamids it carries.</summary>
internal sealed record SignedWebhook(byte[] Body, string Signature, string[] Wamids);

/// <summary>
/// Cloud API webhooks in Meta's shape (<c>object → entry → changes → value</c> with metadata, contacts and
/// messages), JSON with non-ASCII escaped as \uXXXX as Meta sends it, signed like Meta signs: HMAC-SHA256
/// of the exact bytes under the app secret, lower-case hex.
/// </summary>
internal sealed class Webhooks(string phoneNumberId, string appSecret)
{
    public const string SignatureHeader = "X-Hub-Signature-256";

    private const string WabaId = "102290129340398";
    private const string DisplayPhoneNumber = "15550783881";

    private static readonly string[] Texts =
    [
        "Hi! Is my order #{0} on its way?",
        "Hello, I'd like to change the delivery address for order {0}.",
        "Do you have the blue one in size M?",
        "What are your opening hours on Saturday?",
        "I was charged twice for order {0}, can you check?",
        "Thanks, that worked 👍",
        "Can I pick it up in store instead?",
        "Bonjour, est-ce que la commande {0} est déjà partie ?",
        "¿Tienen envío a Valencia?",
        "The tracking link says 'label created' since Monday.",
        "ok",
        "Is there a discount code for returning customers?",
        "My package arrived damaged, what should I do? The box was completely crushed and the glass inside is broken.",
        "Can you call me back after 5pm?",
        "Danke für die schnelle Antwort!",
        "Where do I find my invoice?",
    ];

    private static readonly string[] FirstNames = ["Ana", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Inès", "Jonas", "Kemi", "Lucas", "María", "Noah", "Olga", "Priya"];

    private static readonly string[] LastNames = ["Silva", "Müller", "Dubois", "Rossi", "Nakamura", "Okafor", "García", "Smith", "Kowalski", "Haddad"];

    private readonly byte[] secret = Encoding.UTF8.GetBytes(appSecret);
    private readonly long runTag = BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8));

    /// <summary>A pool of customers with distinct WhatsApp ids (<paramref name="prefix"/> keeps pools of different runs apart).</summary>
    public static Customer[] CustomerPool(int count, string prefix = "1555") =>
        [.. Enumerable.Range(0, count).Select(i => new Customer(
            prefix + i.ToString("D7", CultureInfo.InvariantCulture),
            $"{FirstNames[i % FirstNames.Length]} {LastNames[i / FirstNames.Length % LastNames.Length]}"))];

    /// <summary>A realistic text a customer might send (some with accents and emoji, a few long ones).</summary>
    public static string SomeText(Random random) =>
        string.Format(CultureInfo.InvariantCulture, Texts[random.Next(Texts.Length)], random.Next(10_000, 99_999));

    /// <summary>
    /// A wamid in Meta's style (<c>wamid.</c> and base64), unique per run, worker and sequence number, so
    /// every message of every run is a new message and never a redelivery.
    /// </summary>
    public string NewWamid(int worker, long sequence)
    {
        Span<byte> id = stackalloc byte[18];
        BinaryPrimitives.WriteInt64BigEndian(id, runTag);
        BinaryPrimitives.WriteInt16BigEndian(id[8..], (short)worker);
        BinaryPrimitives.WriteInt64BigEndian(id[10..], sequence);
        return "wamid." + Convert.ToBase64String(id);
    }

    public SignedWebhook Create(IReadOnlyList<InboundText> messages)
    {
        var body = Body(messages);
        return new SignedWebhook(body, Sign(body), [.. messages.Select(m => m.Wamid)]);
    }

    public string Sign(ReadOnlySpan<byte> body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    private byte[] Body(IReadOnlyList<InboundText> messages)
    {
        var buffer = new ArrayBufferWriter<byte>(512 + (messages.Count * 300));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object", "whatsapp_business_account");
            json.WriteStartArray("entry");
            json.WriteStartObject();
            json.WriteString("id", WabaId);
            json.WriteStartArray("changes");
            json.WriteStartObject();
            json.WriteStartObject("value");
            json.WriteString("messaging_product", "whatsapp");
            json.WriteStartObject("metadata");
            json.WriteString("display_phone_number", DisplayPhoneNumber);
            json.WriteString("phone_number_id", phoneNumberId);
            json.WriteEndObject();
            json.WriteStartArray("contacts");
            foreach (var customer in messages.Select(m => m.From).DistinctBy(c => c.WaId))
            {
                json.WriteStartObject();
                json.WriteStartObject("profile");
                json.WriteString("name", customer.Name);
                json.WriteEndObject();
                json.WriteString("wa_id", customer.WaId);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("messages");
            foreach (var message in messages)
            {
                json.WriteStartObject();
                json.WriteString("from", message.From.WaId);
                json.WriteString("id", message.Wamid);
                json.WriteString("timestamp", message.Timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
                json.WriteStartObject("text");
                json.WriteString("body", message.Body);
                json.WriteEndObject();
                json.WriteString("type", "text");
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("field", "messages");
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
