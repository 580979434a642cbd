using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Features.Identity;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Persistence;

public abstract class SchemaTests(DatabaseProvider provider)
{
    private const string FirstVersion = "20261122090000_Initial";

    [Fact]
    public async Task The_migrated_schema_matches_the_model()
    {
        await using var migrated = TestDatabase.For(provider);
        await using var fromModel = TestDatabase.For(provider);
        await migrated.CreateAsync();
        await fromModel.CreateAsync();

        await using var migratedDb = migrated.NewDbContext();
        await migratedDb.Database.MigrateAsync();
        await using var modelDb = fromModel.NewDbContext();
        await modelDb.Database.EnsureCreatedAsync();
        await modelDb.Database.ExecuteSqlRawAsync(Switchboard.Common.Persistence.Migrations.ConversationActivityIndex.CreateSql);
        foreach (var sql in Switchboard.Common.Persistence.Migrations.KnowledgeBase.SearchSql(modelDb.IsSqlite)
            .Concat(Switchboard.Common.Persistence.Migrations.ReportAgentIndexes.CreateSql(modelDb.IsSqlite))
            .Concat(Switchboard.Common.Persistence.Migrations.ReportYears.CreateSql(modelDb.IsSqlite)))
        {
            await modelDb.Database.ExecuteSqlRawAsync(sql);
        }

        var expected = await SchemaReader.ReadAsync(modelDb);
        var actual = await SchemaReader.ReadAsync(migratedDb);

        expected.Should().Contain(l => l.Contains("Channels", StringComparison.Ordinal), "the reader sees the tables");
        expected.Except(actual).Should().BeEmpty("the model has these, but the migrations do not create them");
        actual.Except(expected).Should().BeEmpty("the migrations create these, but the model does not have them");
        (await migratedDb.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task Every_tenant_owned_table_leads_its_primary_key_with_TenantId()
    {
        await using var database = TestDatabase.For(provider);
        await using var db = database.NewDbContext();

        foreach (var entity in db.Model.GetEntityTypes().Where(e => e.FindProperty("TenantId") is { IsNullable: false }))
        {
            entity.FindPrimaryKey()!.Properties[0].Name.Should().Be("TenantId", $"{entity.GetTableName()} is tenant-owned");
        }
    }

    [Fact]
    public async Task An_older_database_is_upgraded_in_place_at_start_up_and_keeps_its_data()
    {
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        var masterKey = RandomNumberGenerator.GetBytes(32);
        var apiKey = ApiTokenSecrets.NewToken();
        var tenantId = Guid.CreateVersion7();
        await using (var db = database.NewDbContext())
        {
            await db.GetService<IMigrator>().MigrateAsync(FirstVersion);
            (await db.Database.GetAppliedMigrationsAsync()).Should().Equal(FirstVersion);

            // Rows as version 1 wrote them, in version 1's columns: the model has moved on since.
            var ring = new MasterKeyRing(masterKey, []);
            object now = db.IsSqlite ? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 : DateTimeOffset.UtcNow;
            object Id(Guid id) => db.IsSqlite ? id.ToString().ToUpperInvariant() : id;
            await db.Database.ExecuteSqlAsync($"INSERT INTO \"Tenants\" (\"Id\", \"Name\", \"Status\", \"CreatedAt\") VALUES ({Id(tenantId)}, {"Before the upgrade"}, {"active"}, {now})");
            foreach (var purpose in new[] { TenantKey.DataPurpose, TenantKey.IndexPurpose })
            {
                var wrapped = ring.Wrap(SealedBox.NewKey(), new TenantKey { TenantId = tenantId, Purpose = purpose, Version = 1 }.WrapContext);
                await db.Database.ExecuteSqlAsync($"INSERT INTO \"TenantKeys\" (\"TenantId\", \"Purpose\", \"Version\", \"WrappedKey\", \"MasterKeyId\", \"CreatedAt\") VALUES ({Id(tenantId)}, {purpose}, {1}, {wrapped}, {ring.CurrentId}, {now})");
            }

            await db.Database.ExecuteSqlAsync($"INSERT INTO \"ApiTokens\" (\"TenantId\", \"Id\", \"Name\", \"Kind\", \"Scopes\", \"TokenHash\", \"Prefix\", \"CreatedAt\") VALUES ({Id(tenantId)}, {Id(Guid.CreateVersion7())}, {"admin"}, {"tenantadmin"}, {"*"}, {ApiTokenSecrets.Hash(apiKey)}, {ApiTokenSecrets.PrefixOf(apiKey)}, {now})");
        }

        await using var app = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = Convert.ToBase64String(masterKey) });
        using var client = app.ClientWithKey(apiKey);

        var tenantResponse = await client.GetAsync($"/api/v1/tenants/{tenantId}");
        tenantResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        (await tenantResponse.ReadJsonAsync())["name"]!.GetValue<string>().Should().Be("Before the upgrade");
        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenantId}/channels", Builders.ChannelRequest())).StatusCode.Should().Be(HttpStatusCode.Created);
        await using var upgraded = app.NewDbContext();
        (await upgraded.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
        (await upgraded.Database.GetAppliedMigrationsAsync()).Should().HaveCountGreaterThan(1).And.StartWith(FirstVersion);
    }

    [Fact]
    public async Task Ids_are_time_ordered_uuid_v7()
    {
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        await using var app = new SwitchboardApp(database);

        var first = await app.CreateTenantAsync();
        await Task.Delay(5);
        var second = await app.CreateTenantAsync();

        first.Id.Version.Should().Be(7);
        string.CompareOrdinal(second.Id.ToString(), first.Id.ToString()).Should().BePositive("UUIDv7 sorts by creation time");
    }

}

public sealed class SchemaTests_Sqlite() : SchemaTests(DatabaseProvider.Sqlite);

public sealed class SchemaTests_Postgres() : SchemaTests(DatabaseProvider.Postgres);
