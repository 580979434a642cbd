using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Tenancy;

/// <summary>The tenants a maintenance command works on: every tenant, or the one <c>--tenant ID</c> names; the schema migrated first.</summary>
internal static class TenantArguments
{
    /// <summary>The tenant ids in order, or null after writing the usage (exit 2) or, when <paramref name="mustExist"/>, that no such tenant exists (exit 1).</summary>
    public static async Task<(List<Guid>? Tenants, int ExitCode)> ResolveAsync(
        IServiceProvider services, IReadOnlyList<string> args, string command, bool mustExist, TextWriter error)
    {
        Guid? only = null;
        if (args is ["--tenant", var id] && Guid.TryParse(id, out var parsed))
        {
            only = parsed;
        }
        else if (args.Count > 0)
        {
            await error.WriteLineAsync($"usage: {command} [--tenant TENANT_ID]");
            return (null, 2);
        }

        await using var db = await services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>().CreateDbContextAsync();
        db.Database.SetCommandTimeout(DatabaseMigrator.MigrationTimeout);
        await db.Database.MigrateAsync();
        if (only is { } wanted)
        {
            if (mustExist && !await db.Tenants.AnyAsync(t => t.Id == wanted))
            {
                await error.WriteLineAsync($"{command}: no tenant {wanted}");
                return (null, 1);
            }

            return ([wanted], 0);
        }

        return (await db.Tenants.AsNoTracking().OrderBy(t => t.Id).Select(t => t.Id).ToListAsync(), 0);
    }
}
