using System.Text.Json;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Graph;
using Switchboard.Common.Serialization;
using Switchboard.Common.Web;

namespace Switchboard.Features.Channels;

/// <summary>What Meta said about a phone number id when asked with an access token.</summary>
internal abstract record NumberCheck
{
    /// <summary>The token sees the number: it is the tenant's to connect.</summary>
    public sealed record Verified(string? VerifiedName, string? QualityRating) : NumberCheck;

    /// <summary>Meta refused the token itself (error 190: invalid, expired or revoked).</summary>
    public sealed record TokenRefused(int? Code) : NumberCheck;

    /// <summary>The token is fine but cannot see this number (error 100 and the permission errors).</summary>
    public sealed record NumberNotVisible(int? Code) : NumberCheck;

    /// <summary>No answer to go by: Meta unreachable, throttling or failing. Nothing may be stored on it.</summary>
    public sealed record Unreachable(string Reason) : NumberCheck;
}

/// <summary>
/// <c>GET /{phone-number-id}?fields=display_phone_number,verified_name,quality_rating</c> with the tenant's
/// token: proof that whoever connects a number holds a token for it, before the shared platform webhook
/// routes that number's customers to them.
/// </summary>
internal sealed class MetaPhoneNumbers(HttpClient http, IOptions<SwitchboardOptions> options)
{
    public const string Fields = "display_phone_number,verified_name,quality_rating";
    public const string NotVerifiedType = Problems.TypeBase + "number-not-verified";

    /// <summary>Meta's codes for "busy, try later" (and the throttles) rather than "no".</summary>
    private static readonly HashSet<int> Transient = [1, 2, 4, 17, 32, 341, 613, 80007, 130429, 131016];

    public async Task<NumberCheck> CheckAsync(string phoneNumberId, string accessToken, CancellationToken ct)
    {
        if (phoneNumberId.Length is 0 or > 32 || !phoneNumberId.All(char.IsAsciiDigit))
        {
            return new NumberCheck.NumberNotVisible(null);
        }

        using var request = GraphApi.Request(HttpMethod.Get, options.Value.WhatsApp.GraphApiBaseUrl, $"{phoneNumberId}?fields={Fields}", accessToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (HttpRequestException ex)
        {
            return new NumberCheck.Unreachable(ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return new NumberCheck.Unreachable("timeout");
        }

        using (response)
        {
            var json = await GraphApi.ReadJsonAsync(response, ct);

            using (json)
            {
                var root = json?.RootElement ?? default;
                if (response.IsSuccessStatusCode)
                {
                    if (json is null || root.ValueKind != JsonValueKind.Object)
                    {
                        return new NumberCheck.Unreachable("unreadable-answer");
                    }

                    return root.String("id") is { } id && id != phoneNumberId
                        ? new NumberCheck.NumberNotVisible(null)
                        : new NumberCheck.Verified(Bounded(root.String("verified_name"), 256), Bounded(root.String("quality_rating"), 32));
                }

                var error = root.ValueKind == JsonValueKind.Object ? root.Get("error") ?? default : default;
                var code = error.ValueKind == JsonValueKind.Object ? (int?)error.Long("code") : null;
                var status = (int)response.StatusCode;
                if (code == 190 || (code is null && status == StatusCodes.Status401Unauthorized))
                {
                    return new NumberCheck.TokenRefused(code);
                }

                if ((code is { } c && Transient.Contains(c)) || status is StatusCodes.Status429TooManyRequests or >= 500 || (code is null && status != StatusCodes.Status404NotFound))
                {
                    return new NumberCheck.Unreachable($"meta-{code ?? status}");
                }

                return new NumberCheck.NumberNotVisible(code);
            }
        }
    }

    /// <summary>
    /// Why a check that did not verify refuses: 422 naming the field at fault (<paramref name="numberField"/> when
    /// the token cannot see the number), or 503 when Meta could not be asked; nothing has been stored either way.
    /// </summary>
    public static Failure Refusal(NumberCheck check, string numberField) => check switch
    {
        NumberCheck.TokenRefused refused => NotVerified(
            "accessToken", $"Meta refused this access token (error {refused.Code ?? 190}): it is invalid, expired or revoked."),
        NumberCheck.NumberNotVisible hidden => NotVerified(
            numberField,
            $"This access token cannot see the phone number id{(hidden.Code is { } code ? $" (Meta error {code})" : "")}. Check the id in WhatsApp Manager and that the token's system user is assigned the WhatsApp account."),
        _ => new Failure(FailureKind.Unavailable, "Meta could not be reached to verify the number.", "Nothing was saved. Try again in a moment.", ProblemType: Problems.UnavailableType),
    };

    private static Failure NotVerified(string field, string message) => new(
        FailureKind.Unprocessable,
        "The number could not be verified with this access token.",
        message,
        ProblemType: NotVerifiedType,
        Extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [field] = [message] } });

    private static string? Bounded(string? value, int max) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Length <= max ? value : value[..max];
}
