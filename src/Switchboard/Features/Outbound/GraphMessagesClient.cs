using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Graph;
using Switchboard.Common.Serialization;
using Switchboard.Common.Telemetry;

namespace Switchboard.Features.Outbound;

/// <summary>What became of one call to Meta.</summary>
internal abstract record GraphOutcome
{
    /// <summary>Meta accepted it (accepted, not yet delivered).</summary>
    public sealed record Accepted(string? Id) : GraphOutcome;

    /// <summary>Meta answered with an error.</summary>
    public sealed record Rejected(int HttpStatus, int? Code, int? Subcode, string? Title, string? Details) : GraphOutcome;

    /// <summary>The request provably never reached Meta (no connection could be made): safe to retry.</summary>
    public sealed record NotSent(string Reason) : GraphOutcome;

    /// <summary>It may have reached Meta (timeout, connection dropped after sending): never resent automatically.</summary>
    public sealed record Unknown(string Reason) : GraphOutcome;
}

/// <summary>
/// POST /{phone-number-id}/messages and /{phone-number-id}/media. Every failure is classified by whether
/// the request could have reached Meta, because that alone decides whether a retry can double-send.
/// </summary>
internal sealed class GraphMessagesClient(HttpClient http, IOptions<SwitchboardOptions> options)
{
    public Task<GraphOutcome> SendAsync(string phoneNumberId, string accessToken, byte[] body, CancellationToken ct)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return PostAsync($"{phoneNumberId}/messages", accessToken, content, ReadMessageId, ct);
    }

    public Task<GraphOutcome> UploadAsync(string phoneNumberId, string accessToken, byte[] file, string mimeType, string? fileName, CancellationToken ct)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("whatsapp"), "messaging_product" },
        };
        var fileContent = new ByteArrayContent(file);
        fileContent.Headers.ContentType = MediaTypeHeaderValue.Parse(mimeType);
        form.Add(fileContent, "file", fileName ?? "file");
        return PostAsync($"{phoneNumberId}/media", accessToken, form, root => root.String("id"), ct);
    }

    private static string? ReadMessageId(JsonElement root) =>
        root.Array("messages").Select(m => m.String("id")).FirstOrDefault(id => id is not null) ?? (root.Bool("success") ? "" : null);

    private async Task<GraphOutcome> PostAsync(string path, string accessToken, HttpContent content, Func<JsonElement, string?> readId, CancellationToken ct)
    {
        using var request = GraphApi.Request(HttpMethod.Post, options.Value.WhatsApp.GraphApiBaseUrl, path, accessToken);
        request.Content = content;
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError)
        {
            return new GraphOutcome.NotSent(ex.HttpRequestError.ToString());
        }
        catch (HttpRequestException ex)
        {
            return new GraphOutcome.Unknown(ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new GraphOutcome.Unknown("timeout");
        }

        using (response)
        {
            var json = await GraphApi.ReadJsonAsync(response, ct);

            using (json)
            {
                if (response.IsSuccessStatusCode)
                {
                    return json is not null && readId(json.RootElement) is { } id
                        ? new GraphOutcome.Accepted(id.Length == 0 ? null : id)
                        : new GraphOutcome.Unknown("unreadable-success");
                }

                var error = json?.RootElement.Get("error") ?? default;
                var code = (int?)error.Long("code");
                if (SwitchboardTelemetry.MetaErrors.Enabled)
                {
                    var label = code is { } c ? c.ToString(CultureInfo.InvariantCulture) : "http-" + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                    SwitchboardTelemetry.MetaErrors.Add(1, new KeyValuePair<string, object?>("code", label));
                }

                return new GraphOutcome.Rejected(
                    (int)response.StatusCode,
                    code,
                    (int?)error.Long("error_subcode"),
                    error.String("title") ?? error.String("message") ?? response.ReasonPhrase,
                    error.Get("error_data")?.String("details"));
            }
        }
    }

    /// <summary>HTTP statuses that mean the request was not processed (and Meta says to retry).</summary>
    public static bool IsRetryableHttp(int status) =>
        status is (int)HttpStatusCode.TooManyRequests or (int)HttpStatusCode.BadGateway or (int)HttpStatusCode.ServiceUnavailable;
}
