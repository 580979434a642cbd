using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Channels;

/// <summary>
/// Connects a WhatsApp business number: its Meta ids and app credentials, sealed with the tenant key. The access
/// token must see the number at Meta first, so nobody can claim a number (and its customers' webhooks) they do not hold.
/// </summary>
internal static class CreateChannel
{
    public sealed record Request(
        [property: Required, RegularExpression(ChannelRules.MetaId, ErrorMessage = ChannelRules.MetaIdMessage)] string? PhoneNumberId,
        [property: Required, RegularExpression(ChannelRules.MetaId, ErrorMessage = ChannelRules.MetaIdMessage)] string? WabaId,
        [property: Required, RegularExpression(ChannelRules.DisplayNumber, ErrorMessage = ChannelRules.DisplayNumberMessage)] string? DisplayPhoneNumber,
        [property: Required, RegularExpression(ChannelRules.MetaId, ErrorMessage = ChannelRules.MetaIdMessage)] string? AppId,
        [property: Required, StringLength(ChannelRules.MaxSecretLength, MinimumLength = 1)] string? AppSecret,
        [property: Required, StringLength(ChannelRules.MaxTokenLength, MinimumLength = 1)] string? AccessToken,
        [property: Required, StringLength(ChannelRules.MaxSecretLength, MinimumLength = 1)] string? VerifyToken,
        [property: Range(1, 1000)] int? MessagesPerSecond = null);

    public static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        Guid tenantId, Request request, [AsParameters] ChannelServices services, ChannelView view, HttpContext http, CancellationToken ct) =>
        await CreateAsync(tenantId, request, services, AuditActor.From(http), ct) switch
        {
            { Value: { } channel } => TypedResults.Created($"/api/v1/tenants/{tenantId}/channels/{channel.Id}", await view.ToResponseAsync(channel, http.Request, ct)),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            var outcome => outcome.Failure!.ToProblem(),
        };

    /// <summary>The connected channel, or why not (nothing is stored then).</summary>
    public static async Task<Outcome<Channel>> CreateAsync(Guid tenantId, Request request, ChannelServices services, AuditActor actor, CancellationToken ct)
    {
        var (db, changes, sealer, numbers, clock) = services;
        var invalid = CredentialRules.Check(request.AppSecret, request.AccessToken, request.VerifyToken);
        if (invalid.Count > 0)
        {
            return Failure.Invalid(invalid);
        }

        if (await db.Channels.IgnoreQueryFilters().AnyAsync(c => c.PhoneNumberId == request.PhoneNumberId, ct))
        {
            return PhoneNumberTaken();
        }

        var check = await numbers.CheckAsync(request.PhoneNumberId!, request.AccessToken!, ct);
        if (check is not NumberCheck.Verified verified)
        {
            return MetaPhoneNumbers.Refusal(check, "phoneNumberId");
        }

        var now = clock.GetUtcNow();
        var channel = new Channel
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            PhoneNumberId = request.PhoneNumberId!,
            WabaId = request.WabaId!,
            DisplayPhoneNumber = request.DisplayPhoneNumber!.Trim(),
            AppId = request.AppId!,
            VerifiedName = verified.VerifiedName,
            QualityRating = verified.QualityRating,
            MessagesPerSecond = request.MessagesPerSecond ?? Channel.DefaultMessagesPerSecond,
            AppSecretRotatedAt = now,
            AccessTokenRotatedAt = now,
            VerifyTokenRotatedAt = now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        channel.AppSecret = await sealer.SealAsync(ChannelSecrets.AppSecretOf(channel), request.AppSecret!, ct);
        channel.AccessToken = await sealer.SealAsync(ChannelSecrets.AccessTokenOf(channel), request.AccessToken!, ct);
        channel.VerifyToken = await sealer.SealAsync(ChannelSecrets.VerifyTokenOf(channel), request.VerifyToken!, ct);
        db.Channels.Add(channel);
        try
        {
            await AuditLog.RecordAsync(db, tenantId, actor, AuditActions.ChannelCreated, $"channel:{channel.Id}",
                new { phoneNumberId = channel.PhoneNumberId, wabaId = channel.WabaId, appId = channel.AppId, messagesPerSecond = channel.MessagesPerSecond }, now, ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return PhoneNumberTaken();
        }

        changes.Notify(tenantId);
        return channel;
    }

    private static Failure PhoneNumberTaken() =>
        Failure.Conflict("This phone number id is already connected.", "A WhatsApp number can be connected to one channel only; webhooks are routed by it.");
}

internal static class ChannelRules
{
    public const string MetaId = "^[0-9]{1,32}$";
    public const string MetaIdMessage = "Must be Meta's numeric id (digits only, at most 32).";
    public const string DisplayNumber = @"^\+?[0-9][0-9 ()\-]{2,31}$";
    public const string DisplayNumberMessage = "Must be a phone number such as +1 555 078 3881 (at most 32 characters).";
    public const int MaxSecretLength = 256;
    public const int MaxTokenLength = 4096;
}
