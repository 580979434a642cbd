using Microsoft.Extensions.Options;
using Switchboard.Common.Crypto;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Webhooks;

/// <summary>
/// Meta's subscription handshake: echo <c>hub.challenge</c> when <c>hub.verify_token</c> is the verify token
/// of one of the tenant's live channels (compared in constant time); 403 otherwise.
/// </summary>
internal static class VerifyWebhook
{
    private const int MaxChallengeLength = 1024;

    public static async Task<IResult> ForTenantAsync(Guid tenantId, HttpRequest request, WebhookSecrets secrets, CancellationToken ct)
    {
        if (ReadChallenge(request) is not { } handshake)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        TenantWebhookSecrets candidates;
        try
        {
            candidates = await secrets.ForTenantAsync(tenantId, ct);
        }
        catch (KeyDestroyedException)
        {
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        }

        var matched = false;
        foreach (var token in candidates.VerifyTokens)
        {
            matched |= ApiTokenSecrets.FixedTimeEquals(token, handshake.Token);
        }

        return matched ? Challenge(handshake.Challenge) : Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    public static IResult ForPlatform(HttpRequest request, IOptions<WebhookOptions> options)
    {
        var expected = options.Value.PlatformVerifyToken;
        return ReadChallenge(request) is { } handshake && !string.IsNullOrEmpty(expected) && ApiTokenSecrets.FixedTimeEquals(expected, handshake.Token)
            ? Challenge(handshake.Challenge)
            : Results.StatusCode(StatusCodes.Status403Forbidden);
    }

    private static (string Token, string Challenge)? ReadChallenge(HttpRequest request)
    {
        string? mode = request.Query["hub.mode"];
        string? token = request.Query["hub.verify_token"];
        string? challenge = request.Query["hub.challenge"];
        return mode == "subscribe" && !string.IsNullOrEmpty(token) && !string.IsNullOrEmpty(challenge) && challenge.Length <= MaxChallengeLength
            ? (token, challenge)
            : null;
    }

    private static IResult Challenge(string challenge) => Results.Text(challenge, "text/plain");
}
