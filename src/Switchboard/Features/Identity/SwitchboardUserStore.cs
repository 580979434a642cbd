using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Identity;

/// <summary>
/// Identity's EF store over our DbContext, with one change: authenticator keys and recovery codes are
/// sealed with Data Protection (whose key ring is itself sealed by the master key) before they are
/// stored, so a database dump alone cannot mint second factors.
/// </summary>
internal sealed class SwitchboardUserStore(SwitchboardDbContext db, IDataProtectionProvider dataProtection, IdentityErrorDescriber? describer = null)
    : UserOnlyStore<SwitchboardUser, SwitchboardDbContext, Guid>(db, describer)
{
    private readonly IDataProtector protector = dataProtection.CreateProtector("Switchboard.Identity.UserTokens.v1");

    public override Task SetTokenAsync(SwitchboardUser user, string loginProvider, string name, string? value, CancellationToken cancellationToken) =>
        base.SetTokenAsync(user, loginProvider, name, value is null ? null : protector.Protect(value), cancellationToken);

    public override async Task<string?> GetTokenAsync(SwitchboardUser user, string loginProvider, string name, CancellationToken cancellationToken)
    {
        var value = await base.GetTokenAsync(user, loginProvider, name, cancellationToken);
        return value is null ? null : protector.Unprotect(value);
    }
}
