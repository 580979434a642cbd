using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Switchboard.Common.Configuration;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Persistence;

/// <summary>
/// What Citus needs to distribute the schema by tenant (ADR 0037), checked on the model: tenant tables'
/// unique keys and foreign keys include <c>TenantId</c>, every other table is a named reference table,
/// and the blockers still open are exactly the listed ones (remove an entry when its fix lands).
/// </summary>
public abstract class ShardingReadinessTests(DatabaseProvider provider)
{
    /// <summary>Platform-wide tables, copied to every node (or, for the inbox, kept on the coordinator).</summary>
    private static readonly string[] NotTenantOwned = ["Tenants", "Users", "UserClaims", "UserLogins", "UserTokens", "DataProtectionKeys", "InboxEvents"];

    /// <summary>Platform tables that name a tenant per row but are keyed platform-wide: the deletion ledger's marks (ADR 0038), a reference table.</summary>
    private static readonly string[] PlatformWithTenantColumn = ["AppliedDeletions"];

    /// <summary>Unique keys without <c>TenantId</c> that ADR 0037 lists with their fixes.</summary>
    private static readonly string[] KnownBlockers = ["Channels(PhoneNumberId)", "ApiTokens(TokenHash)"];

    [Fact]
    public async Task Tenant_tables_keep_TenantId_in_every_unique_key_and_foreign_key_and_other_tables_are_named()
    {
        await using var database = TestDatabase.For(provider);
        await using var db = database.NewDbContext();
        var blockers = new List<string>();
        var unclassified = new List<string>();

        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            if (PlatformWithTenantColumn.Contains(table))
            {
                continue;
            }

            if (entity.FindProperty("TenantId") is not { IsNullable: false })
            {
                if (!NotTenantOwned.Contains(table))
                {
                    unclassified.Add(table);
                }

                continue;
            }

            var uniqueKeys = entity.GetKeys().Select(k => k.Properties)
                .Concat(entity.GetIndexes().Where(i => i.IsUnique).Select(i => i.Properties));
            foreach (var properties in uniqueKeys.Where(p => p.All(x => x.Name != "TenantId")))
            {
                blockers.Add($"{table}({string.Join(", ", properties.Select(p => p.Name))})");
            }

            foreach (var key in entity.GetForeignKeys().Where(IsBetweenTenantTables))
            {
                key.Properties.Select(p => p.Name).Should().Contain("TenantId", $"{table}'s key to {key.PrincipalEntityType.GetTableName()} must join co-located shards");
            }
        }

        unclassified.Should().BeEmpty("a table without a TenantId must be named a reference table in ADR 0037 and here");
        blockers.Should().BeEquivalentTo(KnownBlockers, "a unique key without TenantId keeps the table from being distributed by tenant (ADR 0037)");
    }

    private static bool IsBetweenTenantTables(IForeignKey key) =>
        key.PrincipalEntityType.GetTableName() != "Tenants" && key.PrincipalEntityType.FindProperty("TenantId") is { IsNullable: false };
}

public sealed class ShardingReadinessTests_Sqlite() : ShardingReadinessTests(DatabaseProvider.Sqlite);

public sealed class ShardingReadinessTests_Postgres() : ShardingReadinessTests(DatabaseProvider.Postgres);
