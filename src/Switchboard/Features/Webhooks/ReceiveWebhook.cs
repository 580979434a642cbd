using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Telemetry;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Meta's webhook POST: verify the signature over the raw bytes, seal and append durably, and only then
/// answer 200. Nothing is parsed here but the customer's lock bucket (<see cref="SenderBucket"/>) — processing happens in the background.
/// </summary>
internal static class ReceiveWebhook
{
    public static async Task<IResult> ForTenantAsync(
        Guid tenantId, HttpContext http, WebhookSecrets secrets, WebhookSealer sealer, WebhookJournal writer, TimeProvider clock, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Refused(started, "too-large", TooLarge());
        }

        var signature = WebhookSignature.Parse(http.Request.Headers[WebhookSignature.Header]);
        if (signature is null)
        {
            return Refused(started, "bad-signature", Unauthorized());
        }

        try
        {
            TenantWebhookSecrets candidates;
            try
            {
                candidates = await secrets.ForTenantAsync(tenantId, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not KeyDestroyedException)
            {
                // The secrets were not cached and the database cannot be read: Meta retries a 503.
                return Refused(started, "unavailable", Unavailable());
            }

            if (!WebhookSignature.Verify(body, signature, candidates.AppSecrets))
            {
                return Refused(started, "bad-signature", Unauthorized());
            }

            return await AppendAsync(started, tenantId, body, sealer, writer, clock, ct);
        }
        catch (KeyDestroyedException)
        {
            return Refused(started, "tenant-erased", Unauthorized());
        }
    }

    public static async Task<IResult> ForPlatformAsync(
        HttpContext http, IOptions<SwitchboardOptions> options, WebhookSealer sealer, WebhookJournal writer, TimeProvider clock, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var platformSecret = options.Value.WhatsApp.PlatformAppSecret;
        if (string.IsNullOrEmpty(platformSecret))
        {
            return Refused(started, "no-platform-app", Problems.NotFound("No platform app is configured (Switchboard:WhatsApp:PlatformAppSecret)."));
        }

        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return Refused(started, "too-large", TooLarge());
        }

        var signature = WebhookSignature.Parse(http.Request.Headers[WebhookSignature.Header]);
        if (signature is null || !WebhookSignature.Verify(body, signature, [System.Text.Encoding.UTF8.GetBytes(platformSecret)]))
        {
            return Refused(started, "bad-signature", Unauthorized());
        }

        return await AppendAsync(started, null, body, sealer, writer, clock, ct);
    }

    private static async Task<IResult> AppendAsync(long started, Guid? tenantId, byte[] body, WebhookSealer sealer, WebhookJournal writer, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var inboxEvent = new WebhookEvent
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            ReceivedAt = now,
            State = WebhookEventState.Pending,
            NextAttemptAt = now,
            TraceParent = SwitchboardTelemetry.CurrentTraceParent(),
            SenderKey = SenderBucket.Of(body),
        };

        try
        {
            await sealer.SealAsync(inboxEvent, body, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not KeyDestroyedException)
        {
            // The tenant key could not be loaded: the database is not answering.
            return Refused(started, "unavailable", Unavailable());
        }

        using (var store = SwitchboardTelemetry.Source.StartActivity("webhook store"))
        {
            var outcome = await writer.AppendAsync(inboxEvent, ct);
            store?.SetTag("switchboard.outcome", OutcomeName(outcome));
            return outcome switch
            {
                AppendOutcome.Stored => Answered(started, "accepted", "stored", Results.Ok()),
                _ => Refused(started, OutcomeName(outcome), Unavailable()),
            };
        }
    }

    private static string OutcomeName(AppendOutcome outcome) => outcome switch
    {
        AppendOutcome.Stored => "stored",
        AppendOutcome.Saturated => "saturated",
        _ => "unavailable",
    };

    private static IResult Refused(long started, string reason, IResult result) => Answered(started, "refused", reason, result);

    /// <summary>Counts the answer and its time (nothing when metrics are off).</summary>
    private static IResult Answered(long started, string outcome, string reason, IResult result)
    {
        var outcomeTag = new KeyValuePair<string, object?>("outcome", outcome);
        SwitchboardTelemetry.WebhookRequests.Add(1, outcomeTag, new KeyValuePair<string, object?>("reason", reason));
        if (SwitchboardTelemetry.WebhookAckDuration.Enabled)
        {
            SwitchboardTelemetry.WebhookAckDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, outcomeTag);
        }

        return result;
    }

    /// <summary>The raw body, or null when it is larger than Meta's 3 MB maximum.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > WebhookOptions.MaxBodyBytes)
        {
            return null;
        }

        if (request.ContentLength is { } length)
        {
            // Meta always sends a length: read straight into an array of that size, one copy in all.
            var exact = new byte[length];
            var filled = 0;
            int got;
            while (filled < exact.Length && (got = await request.Body.ReadAsync(exact.AsMemory(filled), ct)) > 0)
            {
                filled += got;
            }

            return filled < exact.Length ? exact[..filled] : exact;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var body = new MemoryStream(4096);
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (body.Length + read > WebhookOptions.MaxBodyBytes)
                {
                    return null;
                }

                body.Write(buffer, 0, read);
            }

            return body.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IResult Unauthorized() => Results.Problem(
        title: "The X-Hub-Signature-256 signature is missing or does not match.", statusCode: StatusCodes.Status401Unauthorized, type: Problems.UnauthorizedType);

    private static IResult TooLarge() => Results.Problem(
        title: "Webhook payloads are at most 3 MB.", statusCode: StatusCodes.Status413PayloadTooLarge, type: Problems.PayloadTooLargeType);

    private static IResult Unavailable() => Results.Problem(
        title: "The event could not be stored right now; retry later.", statusCode: StatusCodes.Status503ServiceUnavailable, type: Problems.UnavailableType,
        extensions: new Dictionary<string, object?> { ["retryAfter"] = 1 });
}
