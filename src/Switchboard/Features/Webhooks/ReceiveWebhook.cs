using System.Buffers;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Web;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Meta's webhook POST: verify the signature over the raw bytes, seal and append durably, and only then
/// answer 200. Nothing is parsed here — processing happens in the background.
/// </summary>
internal static class ReceiveWebhook
{
    public static async Task<IResult> ForTenantAsync(
        Guid tenantId, HttpContext http, WebhookSecrets secrets, WebhookSealer sealer, WebhookJournal writer, TimeProvider clock, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var signature = WebhookSignature.Parse(http.Request.Headers[WebhookSignature.Header]);
        if (signature is null)
        {
            return Unauthorized();
        }

        try
        {
            var candidates = await secrets.ForTenantAsync(tenantId, ct);
            if (!WebhookSignature.Verify(body, signature, candidates.AppSecrets))
            {
                return Unauthorized();
            }

            return await AppendAsync(tenantId, body, sealer, writer, clock, ct);
        }
        catch (KeyDestroyedException)
        {
            return Unauthorized();
        }
    }

    public static async Task<IResult> ForPlatformAsync(
        HttpContext http, IOptions<SwitchboardOptions> options, WebhookSealer sealer, WebhookJournal writer, TimeProvider clock, CancellationToken ct)
    {
        var platformSecret = options.Value.WhatsApp.PlatformAppSecret;
        if (string.IsNullOrEmpty(platformSecret))
        {
            return Problems.NotFound("No platform app is configured (Switchboard:WhatsApp:PlatformAppSecret).");
        }

        var body = await ReadBodyAsync(http.Request, ct);
        if (body is null)
        {
            return TooLarge();
        }

        var signature = WebhookSignature.Parse(http.Request.Headers[WebhookSignature.Header]);
        if (signature is null || !WebhookSignature.Verify(body, signature, [System.Text.Encoding.UTF8.GetBytes(platformSecret)]))
        {
            return Unauthorized();
        }

        return await AppendAsync(null, body, sealer, writer, clock, ct);
    }

    private static async Task<IResult> AppendAsync(Guid? tenantId, byte[] body, WebhookSealer sealer, WebhookJournal writer, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var inboxEvent = new WebhookEvent
        {
            Id = Guid.CreateVersion7(now),
            TenantId = tenantId,
            ReceivedAt = now,
            State = WebhookEventState.Pending,
            NextAttemptAt = now,
        };

        try
        {
            await sealer.SealAsync(inboxEvent, body, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not KeyDestroyedException)
        {
            // The tenant key could not be loaded: the database is not answering.
            return Unavailable();
        }

        return await writer.AppendAsync(inboxEvent, ct) switch
        {
            AppendOutcome.Stored => Results.Ok(),
            _ => Unavailable(),
        };
    }

    /// <summary>The raw body, or null when it is larger than Meta's 3 MB maximum.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > WebhookOptions.MaxBodyBytes)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var body = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
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
