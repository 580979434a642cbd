namespace Switchboard.Features.Identity.Pages;

// What the users page lists. Public because Razor components are, and these are their parameters.

/// <summary>A member of the tenant.</summary>
public sealed record MemberRow(Guid Id, string? Email, string DisplayName, string Role, string Status, bool MfaEnabled, DateTimeOffset? LastLoginAt)
{
    internal static MemberRow Of(UsersApi.UserResponse u) => new(u.Id, u.Email, u.DisplayName, u.Role, u.Status, u.MfaEnabled, u.LastLoginAt);
}

/// <summary>An invite not yet accepted.</summary>
public sealed record InviteRow(Guid Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    internal static InviteRow Of(UsersApi.InviteResponse i) => new(i.Id, i.Email, i.Role, i.CreatedAt, i.ExpiresAt);
}

/// <summary>The roles an admin can give, weakest first.</summary>
public static class TenantRoles
{
    public static IReadOnlyList<string> All { get; } = ["agent", "manager", "admin"];
}
