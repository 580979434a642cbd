using System.Text.Json;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// The lock bucket of the one customer a webhook body is about, read at acknowledgement so that processing loops on several nodes
/// take disjoint customers (ADR 0062). A bucket is 16 bits of a hash of the customer's number (or user id): 65,536 buckets for every
/// customer of the platform, so it identifies no one; two customers in one bucket only wait for each other.
/// </summary>
internal static class SenderBucket
{
    private const uint FnvOffset = 2166136261;
    private const uint FnvPrime = 16777619;

    /// <summary>
    /// The bucket of the customer that sent every message and received every status in <paramref name="body"/>, or null when it names
    /// none (account updates), several, or is not JSON (processing quarantines it). For each message the sender's number
    /// (<c>from</c>), else its user id (<c>from_user_id</c>); for each status the recipient's (<c>recipient_id</c>, else
    /// <c>recipient_user_id</c>).
    /// </summary>
    public static int? Of(ReadOnlySpan<byte> body)
    {
        try
        {
            return Scan(body);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            // Not JSON, or a string that is not UTF-8: processing quarantines it; the acknowledgement never fails for it.
            return null;
        }
    }

    private static int? Scan(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        int? found = null;
        var arrayDepth = -1;
        var inStatuses = false;
        var (number, userId) = ((uint?)null, (uint?)null);
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when arrayDepth < 0 && (reader.ValueTextEquals("messages"u8) || reader.ValueTextEquals("statuses"u8)):
                    inStatuses = reader.ValueTextEquals("statuses"u8);
                    if (reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                    {
                        arrayDepth = reader.CurrentDepth;
                    }

                    break;
                case JsonTokenType.StartObject when arrayDepth >= 0 && reader.CurrentDepth == arrayDepth + 1:
                    (number, userId) = (null, null);
                    break;
                case JsonTokenType.PropertyName when arrayDepth >= 0 && reader.CurrentDepth == arrayDepth + 2:
                    var isNumber = reader.ValueTextEquals(inStatuses ? "recipient_id"u8 : "from"u8);
                    var isUserId = !isNumber && reader.ValueTextEquals(inStatuses ? "recipient_user_id"u8 : "from_user_id"u8);
                    if ((isNumber || isUserId) && reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        var hash = Hash(ref reader);
                        if (isNumber)
                        {
                            number = hash;
                        }
                        else
                        {
                            userId = hash;
                        }
                    }

                    break;
                case JsonTokenType.EndObject when arrayDepth >= 0 && reader.CurrentDepth == arrayDepth + 1:
                    if ((number ?? userId) is not { } customer)
                    {
                        return null;
                    }

                    var bucket = (int)((customer >> 16) ^ (customer & 0xFFFF));
                    if (found is { } other && other != bucket)
                    {
                        return null;
                    }

                    found = bucket;
                    break;
                case JsonTokenType.EndArray when reader.CurrentDepth == arrayDepth:
                    arrayDepth = -1;
                    break;
            }
        }

        return found;
    }

    /// <summary>FNV-1a over the value's UTF-8 bytes: the same on every node and in every process, unlike <see cref="string.GetHashCode()"/>.</summary>
    private static uint Hash(ref Utf8JsonReader reader)
    {
        Span<byte> buffer = stackalloc byte[256];
        var value = reader.ValueIsEscaped && reader.ValueSpan.Length <= buffer.Length ? buffer[..reader.CopyString(buffer)] : reader.ValueSpan;
        var hash = FnvOffset;
        foreach (var b in value)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return hash;
    }
}
