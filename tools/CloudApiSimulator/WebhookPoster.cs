using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CloudApiSimulator;

/// <summary>
/// Delivers webhooks like Meta: the JSON with non-ASCII escaped, signed with the app secret over those
/// exact bytes, retried with backoff when the receiver does not answer 200.
/// </summary>
public sealed class WebhookPoster(IHttpClientFactory httpFactory, ILogger<WebhookPoster> logger)
{
    private static readonly TimeSpan[] Backoff = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30)];

    public async Task<bool> PostAsync(SimulatedNumber number, object payload, CancellationToken ct = default)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(number.AppSecret), body));
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, number.WebhookUrl) { Content = content };
                request.Headers.Add("X-Hub-Signature-256", signature);
                using var response = await httpFactory.CreateClient("webhooks").SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                logger.LogWarning("Webhook to {Url} answered {Status}", number.WebhookUrl, (int)response.StatusCode);
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning("Webhook to {Url} failed: {Error}", number.WebhookUrl, ex.HttpRequestError);
            }

            if (attempt >= Backoff.Length)
            {
                return false;
            }

            await Task.Delay(Backoff[attempt], ct);
        }
    }
}
