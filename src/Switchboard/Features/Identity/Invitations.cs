using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Tenants;
using Switchboard.Hosting;

namespace Switchboard.Features.Identity;

/// <summary>
/// Invite links: a Data Protection–signed, time-limited code naming the invite and carrying a random
/// secret whose hash the invite row keeps. A link works once, until it expires or is revoked.
/// </summary>
internal sealed class Invitations(IDataProtectionProvider dataProtection, IOptions<SwitchboardOptions> options, TimeProvider clock)
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

    public string LinkFor(string code, HttpRequest request) =>
        $"{Channels.WebhookUrls.BaseOf(options.Value, request)}/account/invite?code={Uri.EscapeDataString(code)}";

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

    /// <summary>
    /// Accepts an open invite: a new user is created with the password given; an existing user (same
    /// email) must prove the account with its password. Either way the membership is added (or re-enabled).
    /// </summary>
    public async Task<AcceptResult> AcceptAsync(
        SwitchboardDbContext db, UserManager<SwitchboardUser> users, Invite invite, string? displayName, string? password, string? ip, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var user = await users.FindByEmailAsync(invite.Email);
        if (user is null)
        {
            user = new SwitchboardUser
            {
                Id = Guid.CreateVersion7(now),
                UserName = invite.Email,
                Email = invite.Email,
                EmailConfirmed = true,
                DisplayName = string.IsNullOrWhiteSpace(displayName) ? invite.Email : displayName.Trim(),
                CreatedAt = now,
            };
            var created = await users.CreateAsync(user, password ?? "");
            if (!created.Succeeded)
            {
                return AcceptResult.Failed("password", created.Errors.Select(e => e.Description).ToArray());
            }
        }
        else if (await users.IsLockedOutAsync(user) || !await users.CheckPasswordAsync(user, password ?? ""))
        {
            return AcceptResult.Failed("password", ["This email already has an account: enter that account's password."]);
        }

        var membership = await db.Memberships.IgnoreQueryFilters().FirstOrDefaultAsync(m => m.TenantId == invite.TenantId && m.UserId == user.Id, ct);
        if (membership is null)
        {
            db.Memberships.Add(new Membership { TenantId = invite.TenantId, UserId = user.Id, Role = invite.Role, CreatedAt = now, UpdatedAt = now });
        }
        else
        {
            membership.Role = invite.Role;
            membership.Status = MembershipStatus.Active;
            membership.UpdatedAt = now;
        }

        invite.AcceptedAt = now;
        invite.AcceptedBy = user.Id;
        var actor = new AuditActor($"user:{user.Id}", user.Email, ip);
        await AuditLog.RecordAsync(db, invite.TenantId, actor, AuditActions.InviteAccepted, $"user:{user.Id}",
            new { inviteId = invite.Id, role = Permissions.RoleName(invite.Role) }, now, ct);
        return AcceptResult.Accepted(user);
    }
}

internal sealed record AcceptResult(SwitchboardUser? User, string? Field, string[] Errors)
{
    public static AcceptResult Accepted(SwitchboardUser user) => new(user, null, []);

    public static AcceptResult Failed(string field, string[] errors) => new(null, field, errors);
}
