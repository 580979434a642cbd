using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Features.Webhooks;
using Switchboard.Hosting;

namespace Switchboard.Features.Media;

internal sealed record MediaInfo(Uri Url, string? MimeType, string? Sha256, long? FileSize);

/// <summary>A failed media fetch; <see cref="Permanent"/> ones are not retried.</summary>
internal sealed class MediaFetchException(string reason, bool permanent = false) : Exception(reason)
{
    public string Reason { get; } = reason;

    public bool Permanent { get; } = permanent;
}

/// <summary>
/// The two Graph calls of an inbound media fetch: GET /{media-id} for a short-lived URL, then GET that
/// URL with the same bearer token (Meta refuses it without).
/// </summary>
internal sealed class GraphMediaClient(HttpClient http, IOptions<SwitchboardOptions> options)
{
    public async Task<MediaInfo> GetInfoAsync(string mediaId, string phoneNumberId, string accessToken, CancellationToken ct)
    {
        var baseUrl = options.Value.WhatsApp.GraphApiBaseUrl.ToString().TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{baseUrl}/{Uri.EscapeDataString(mediaId)}?phone_number_id={Uri.EscapeDataString(phoneNumberId)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await SendAsync(request, ct);
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var json = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        var root = json.RootElement;
        if (!Uri.TryCreate(root.String("url"), UriKind.Absolute, out var url))
        {
            throw new MediaFetchException("graph-no-url");
        }

        return new MediaInfo(url, root.String("mime_type"), root.String("sha256"), root.Long("file_size"));
    }

    public async Task<byte[]> DownloadAsync(Uri url, string accessToken, long maxBytes, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await SendAsync(request, ct);
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new MediaFetchException("too-large", permanent: true);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new MediaFetchException("too-large", permanent: true);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException)
        {
            throw new MediaFetchException("network");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MediaFetchException("timeout");
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var status = response.StatusCode;
        response.Dispose();
        throw status switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new MediaFetchException("graph-unauthorized"),
            HttpStatusCode.NotFound => new MediaFetchException("graph-not-found"),
            HttpStatusCode.TooManyRequests => new MediaFetchException("graph-throttled"),
            _ => new MediaFetchException($"graph-{(int)status}"),
        };
    }
}
