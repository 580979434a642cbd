using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Identity;

/// <summary>The Identity feature's tables on the shared context, so <c>db.ApiTokens</c> reads as a DbSet (ADR 0020).</summary>
internal static class IdentityTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<ApiToken> ApiTokens => db.Set<ApiToken>();

        public DbSet<SwitchboardUser> Users => db.Set<SwitchboardUser>();

        public DbSet<Membership> Memberships => db.Set<Membership>();

        public DbSet<Invite> Invites => db.Set<Invite>();
    }
}
