using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Outbound;

namespace Switchboard.Features.Channels;

/// <summary>
/// Replaces any of a channel's credentials. Each one rotated gets a new rotation time; a fresh access
/// token also clears "needs re-authorisation" so that sending resumes. A new access token must see the number
/// at Meta before it replaces the old one.
/// </summary>
internal static class RotateChannelCredentials
{
    public sealed record Request(
        [property: StringLength(ChannelRules.MaxSecretLength, MinimumLength = 1)] string? AppSecret,
        [property: StringLength(ChannelRules.MaxTokenLength, MinimumLength = 1)] string? AccessToken,
        [property: StringLength(ChannelRules.MaxSecretLength, MinimumLength = 1)] string? VerifyToken);

    public static async Task<Results<Ok<ChannelResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Guid channelId, Request request, [AsParameters] ChannelServices services, ChannelView view, HttpContext http, CancellationToken ct) =>
        await RotateAsync(tenantId, channelId, request, services, AuditActor.From(http), ct) switch
        {
            { Value: { } channel } => TypedResults.Ok(await view.ToResponseAsync(channel, http.Request, ct)),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>The channel with its new credentials, or why not (nothing is changed then).</summary>
    public static async Task<Outcome<Channel>> RotateAsync(Guid tenantId, Guid channelId, Request request, ChannelServices services, AuditActor actor, CancellationToken ct)
    {
        var (db, changes, sealer, numbers, clock) = services;
        if (request.AppSecret is null && request.AccessToken is null && request.VerifyToken is null)
        {
            return Failure.Invalid("$", "Give at least one of appSecret, accessToken, verifyToken.");
        }

        var invalid = CredentialRules.Check(request.AppSecret, request.AccessToken, request.VerifyToken);
        if (invalid.Count > 0)
        {
            return Failure.Invalid(invalid);
        }

        var channel = await db.Channels.FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == channelId, ct);
        if (channel is null)
        {
            return Failure.NotFound();
        }

        if (channel.IsRevoked)
        {
            return Failure.Conflict("This channel has been revoked.", "Connect the number again as a new channel.");
        }

        NumberCheck.Verified? verified = null;
        if (request.AccessToken is not null)
        {
            var check = await numbers.CheckAsync(channel.PhoneNumberId, request.AccessToken, ct);
            if (check is not NumberCheck.Verified ok)
            {
                // The number is the channel's own, so a token that cannot see it is the token's fault.
                return MetaPhoneNumbers.Refusal(check, "accessToken");
            }

            verified = ok;
        }

        var now = clock.GetUtcNow();
        var reactivated = false;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (request.AppSecret is not null)
        {
            channel.AppSecret = await sealer.SealAsync(ChannelSecrets.AppSecretOf(channel), request.AppSecret, ct);
            channel.AppSecretRotatedAt = now;
        }

        if (request.AccessToken is not null)
        {
            channel.AccessToken = await sealer.SealAsync(ChannelSecrets.AccessTokenOf(channel), request.AccessToken, ct);
            channel.AccessTokenRotatedAt = now;
            channel.VerifiedName = verified?.VerifiedName ?? channel.VerifiedName;
            channel.QualityRating = verified?.QualityRating ?? channel.QualityRating;
            if (channel.Status == ChannelStatus.NeedsReauthorization)
            {
                channel.Status = ChannelStatus.Active;
                reactivated = true;

                // Replies held while the number was paused are due again right now.
                await db.OutboxItems.Where(o => o.TenantId == tenantId && o.ChannelId == channelId && o.State == Outbound.OutboxState.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(o => o.NextAttemptAt, now), ct);
            }
        }

        if (request.VerifyToken is not null)
        {
            channel.VerifyToken = await sealer.SealAsync(ChannelSecrets.VerifyTokenOf(channel), request.VerifyToken, ct);
            channel.VerifyTokenRotatedAt = now;
        }

        channel.UpdatedAt = now;

        // Which credentials changed, never their values.
        string[] rotated =
        [
            .. request.AppSecret is null ? Array.Empty<string>() : ["appSecret"],
            .. request.AccessToken is null ? Array.Empty<string>() : ["accessToken"],
            .. request.VerifyToken is null ? Array.Empty<string>() : ["verifyToken"],
        ];
        await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ChannelCredentialsRotated, $"channel:{channel.Id}",
            new { rotated, reactivated }, now, ct);
        await transaction.CommitAsync(ct);
        changes.Notify(tenantId);
        return channel;
    }
}
