using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Tenancy;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Persistence;

/// <summary>The tenant foreign key convention (ADR 0020) gives every tenant-owned table the key the migrations created.</summary>
public abstract class TenantForeignKeyTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Every_tenant_owned_table_cascades_from_its_tenant_except_the_audit_log_and_the_search_index()
    {
        await using var database = TestDatabase.For(provider);
        await using var db = database.NewDbContext();

        var owned = db.Model.GetEntityTypes().Where(e => e.ClrType != typeof(Tenant) && e.FindProperty("TenantId") is { IsNullable: false }).ToList();
        owned.Should().HaveCountGreaterThan(10);
        foreach (var entity in owned)
        {
            var keys = entity.GetForeignKeys().Where(fk => fk.PrincipalEntityType.ClrType == typeof(Tenant)).ToList();
            // The platform's audit chain, and the marks of the platform's deletion ledger (ADR 0038), which outlive a tenant's rows.
            if (entity.GetTableName() is "AuditEntries" or "AuditChains" or "AppliedDeletions")
            {
                keys.Should().BeEmpty($"{entity.GetTableName()} belongs to the platform, not to one tenant's rows");
                continue;
            }

            // The search index: rows derived from stored messages, written without the per-row check (ADR 0070).
            if (entity.GetTableName() is "MessageSearchTokens")
            {
                keys.Should().BeEmpty("the search index's rows are derived from messages, which carry the tenant's key");
                continue;
            }

            keys.Should().ContainSingle($"{entity.GetTableName()} is tenant-owned");
            keys[0].Properties.Select(p => p.Name).Should().Equal("TenantId");
            keys[0].DeleteBehavior.Should().Be(DeleteBehavior.Cascade);
            keys[0].GetConstraintName().Should().Be($"FK_{entity.GetTableName()}_Tenants_TenantId");
        }
    }
}

public sealed class TenantForeignKeyTests_Sqlite() : TenantForeignKeyTests(DatabaseProvider.Sqlite);

public sealed class TenantForeignKeyTests_Postgres() : TenantForeignKeyTests(DatabaseProvider.Postgres);
