using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Serialization;

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
/// URL with the same bearer token (Meta refuses it without). The id comes from a webhook and the URL from
/// Graph's answer: the id must be Meta's numeric id and the URL a Meta media host (<see cref="MediaHosts"/>),
/// and a redirect is followed only on the same origin, or the token would go wherever they point.
/// </summary>
internal sealed class GraphMediaClient(HttpClient http, MediaHosts hosts, IOptions<SwitchboardOptions> options)
{
    private const int MaxRedirects = 3;

    public async Task<MediaInfo> GetInfoAsync(string mediaId, string phoneNumberId, string accessToken, CancellationToken ct)
    {
        if (!IsMetaId(mediaId))
        {
            throw new MediaFetchException("bad-media-id", permanent: true);
        }

        if (!IsMetaId(phoneNumberId))
        {
            throw new MediaFetchException("bad-phone-number-id", permanent: true);
        }

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
        using var response = await GetFollowingSameOriginRedirectsAsync(url, accessToken, ct);
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

    /// <summary>Meta's ids are digits: anything else would be a path of our choosing on the Graph host.</summary>
    internal static bool IsMetaId(string id) => id.Length is > 0 and <= 64 && id.All(char.IsAsciiDigit);

    private async Task<HttpResponseMessage> GetFollowingSameOriginRedirectsAsync(Uri url, string accessToken, CancellationToken ct)
    {
        for (var redirects = 0; ; redirects++)
        {
            if (!hosts.IsAllowed(url))
            {
                throw new MediaFetchException("url-not-allowed", permanent: true);
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            var response = await SendAsync(request, ct, allowRedirect: true);
            if ((int)response.StatusCode is < 300 or >= 400)
            {
                return response;
            }

            var location = response.Headers.Location;
            response.Dispose();
            var next = location is null ? null : location.IsAbsoluteUri ? location : new Uri(url, location);
            if (next is null || redirects >= MaxRedirects
                || next.Scheme != url.Scheme || !string.Equals(next.IdnHost, url.IdnHost, StringComparison.OrdinalIgnoreCase) || next.Port != url.Port)
            {
                throw new MediaFetchException("redirect-not-allowed", permanent: true);
            }

            url = next;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, bool allowRedirect = false)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException ex) when (ex.InnerException is MediaAddressRefusedException)
        {
            throw new MediaFetchException("address-not-allowed", permanent: true);
        }
        catch (HttpRequestException)
        {
            throw new MediaFetchException("network");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new MediaFetchException("timeout");
        }

        if (response.IsSuccessStatusCode || (allowRedirect && (int)response.StatusCode is >= 300 and < 400))
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
