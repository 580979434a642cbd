using System.Net.Http.Headers;
using System.Text.Json;

namespace Switchboard.Common.Graph;

/// <summary>What every call to Meta's Graph API shares: the request with its bearer token, and reading the answer as JSON.</summary>
internal static class GraphApi
{
    /// <summary><paramref name="path"/> (with its query, if any) under the Graph API base URL, authorised with <paramref name="accessToken"/>.</summary>
    public static HttpRequestMessage Request(HttpMethod method, Uri baseUrl, string path, string accessToken)
    {
        var request = new HttpRequestMessage(method, $"{baseUrl.ToString().TrimEnd('/')}/{path}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    /// <summary>The answer's body as JSON, or null when it is not JSON; the caller disposes it.</summary>
    public static async Task<JsonDocument?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
