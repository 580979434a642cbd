using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Mail;

namespace Switchboard.Features.Identity;

/// <summary>
/// Invite links: a Data Protection–signed, time-limited code naming the invite and carrying a random
/// secret whose hash the invite row keeps. A link works once, until it expires or is revoked.
/// </summary>
internal sealed class Invitations(IDataProtectionProvider dataProtection, IOptions<SwitchboardOptions> options, MailQueue mail, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    private readonly ITimeLimitedDataProtector protector = dataProtection.CreateProtector("Switchboard.Identity.Invites.v1").ToTimeLimitedDataProtector();

    public (Invite Invite, string Code) Create(Guid tenantId, string email, TenantRole role, string invitedBy)
    {
        var now = clock.GetUtcNow();
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var invite = new Invite
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            Email = email.Trim(),
            NormalizedEmail = email.Trim().ToUpperInvariant(),
            Role = role,
            SecretHash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)),
            InvitedBy = invitedBy,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        };
        var code = protector.Protect($"{tenantId:N}.{invite.Id:N}.{secret}", invite.ExpiresAt);
        return (invite, code);
    }

    /// <summary>
    /// Queues the invite's e-mail in <paramref name="db"/>'s unit of work, to commit with the invite; false
    /// when no relay is configured (the admin passes the link on). Call <see cref="MailSent"/> after the commit.
    /// </summary>
    public async Task<bool> MailAsync(SwitchboardDbContext db, Invite invite, string link, CancellationToken ct)
    {
        var tenant = await db.Tenants.Where(t => t.Id == invite.TenantId).Select(t => t.Name).FirstAsync(ct);
        var body = $"""
            You have been invited to {tenant} on Switchboard as {Permissions.RoleName(invite.Role)}.

            Accept the invite and choose your password here (the link works once, until {invite.ExpiresAt:yyyy-MM-dd HH:mm} UTC):

            {link}

            If you did not expect this invite, ignore this message.
            """;
        return await mail.EnqueueAsync(db, invite.TenantId, "invite", invite.Email, $"Your invite to {tenant} on Switchboard", body, ct);
    }

    public void MailSent() => mail.Wake();

    public string LinkFor(string code, HttpRequest request) =>
        $"{PublicUrls.BaseOf(options.Value, request)}/account/invite?code={Uri.EscapeDataString(code)}";

    /// <summary>The open invite a code names, or null when the code is forged, expired, used or revoked.</summary>
    public async Task<Invite?> FindOpenAsync(SwitchboardDbContext db, string? code, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 2000)
        {
            return null;
        }

        string payload;
        try
        {
            payload = protector.Unprotect(code);
        }
        catch (CryptographicException)
        {
            return null;
        }

        var parts = payload.Split('.');
        if (parts.Length != 3 || !Guid.TryParseExact(parts[0], "N", out var tenantId) || !Guid.TryParseExact(parts[1], "N", out var inviteId))
        {
            return null;
        }

        var now = clock.GetUtcNow();
        var invite = await db.Invites.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.TenantId == tenantId && i.Id == inviteId, ct);
        var tenantActive = await db.Tenants.AnyAsync(t => t.Id == tenantId && t.Status == TenantStatus.Active, ct);
        return invite is not null && tenantActive && invite.AcceptedAt is null && invite.RevokedAt is null && invite.ExpiresAt > now
            && CryptographicOperations.FixedTimeEquals(invite.SecretHash, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(parts[2])))
            ? invite
            : null;
    }
}
