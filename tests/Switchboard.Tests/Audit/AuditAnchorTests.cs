using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Crypto;
using Switchboard.Features.Audit;
using Switchboard.Features.Tenants;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Audit;

/// <summary>
/// The keyed anchor (ADR 0039): someone with write access to the database but not the master key can rewrite every entry
/// and the head consistently, or cut the tail and move the head back, and verify still says no; appending after the
/// rewrite does not make it valid again. Key rotation and its entry commit together.
/// </summary>
public abstract class AuditAnchorTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Rewriting_the_whole_chain_consistently_in_the_database_is_detected_and_a_later_entry_does_not_hide_it()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        await AppendSomeAsync(admin, tenant, 3);
        (await VerifyAsync(admin, tenant))["valid"]!.GetValue<bool>().Should().BeTrue();

        // Whoever holds the database rewrites history: every entry's action changed, every hash recomputed, the head moved along.
        await using (var db = App.NewDbContext())
        {
            var entries = await db.AuditEntries.Where(e => e.TenantId == tenant.Id).OrderBy(e => e.Sequence).ToListAsync();
            var previous = new byte[32];
            foreach (var entry in entries)
            {
                entry.Action = "rewritten." + entry.Action;
                entry.PreviousHash = previous;
                entry.Hash = AuditLog.HashOf(entry);
                previous = entry.Hash;
            }

            await db.SaveChangesAsync();
            await db.Set<AuditChain>().Where(c => c.TenantId == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastHash, previous));
        }

        var broken = await VerifyAsync(admin, tenant);
        broken["valid"]!.GetValue<bool>().Should().BeFalse("the head's anchor needs a key that is not in the database");
        broken["reason"]!.GetValue<string>().Should().Contain("anchor");

        await AppendSomeAsync(admin, tenant, 1);
        (await VerifyAsync(admin, tenant))["valid"]!.GetValue<bool>().Should().BeFalse("an entry appended after the rewrite does not re-anchor it");
    }

    [Fact]
    public async Task Cutting_the_tail_and_moving_the_head_back_is_detected()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        await AppendSomeAsync(admin, tenant, 3);

        await using (var db = App.NewDbContext())
        {
            var last = await db.AuditEntries.Where(e => e.TenantId == tenant.Id).OrderByDescending(e => e.Sequence).FirstAsync();
            await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Sequence == last.Sequence).ExecuteDeleteAsync();
            await db.Set<AuditChain>().Where(c => c.TenantId == tenant.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSequence, last.Sequence - 1).SetProperty(c => c.LastHash, last.PreviousHash));
        }

        var broken = await VerifyAsync(admin, tenant);
        broken["valid"]!.GetValue<bool>().Should().BeFalse();
        broken["reason"]!.GetValue<string>().Should().Contain("anchor");
    }

    [Fact]
    public async Task Removing_the_head_row_is_detected()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        await using (var db = App.NewDbContext())
        {
            await db.Set<AuditChain>().Where(c => c.TenantId == tenant.Id).ExecuteDeleteAsync();
        }

        (await VerifyAsync(admin, tenant))["valid"]!.GetValue<bool>().Should().BeFalse();
    }

    [Fact]
    public async Task A_tenant_key_rotation_commits_with_its_entry_or_not_at_all()
    {
        var tenant = await App.CreateTenantAsync();
        var keyRing = App.Services.GetRequiredService<KeyRing>();
        var clock = TimeProvider.System;

        // A context the audit log cannot append with (no master key reachable from it): the entry fails, so must the rotation.
        await using (var unaudited = fixture.Database.NewDbContext())
        {
            var attempt = () => RotateTenantKey.RotateAsync(tenant.Id, unaudited, keyRing, clock, AuditActor.System, CancellationToken.None);
            await attempt.Should().ThrowAsync<InvalidOperationException>();
        }

        await using var db = App.NewDbContext();
        (await db.TenantKeys.CountAsync(k => k.TenantId == tenant.Id && k.Purpose == TenantKey.DataPurpose)).Should().Be(1, "the rotation was rolled back with its entry");

        var rotated = await RotateTenantKey.RotateAsync(tenant.Id, db, keyRing, clock, AuditActor.System, CancellationToken.None);
        rotated.Value!.DataKeyVersion.Should().Be(2);
        (await db.AuditEntries.CountAsync(e => e.TenantId == tenant.Id && e.Action == AuditActions.TenantKeyRotated)).Should().Be(1);
        using var admin = App.ClientWithKey(tenant.ApiKey);
        (await VerifyAsync(admin, tenant))["valid"]!.GetValue<bool>().Should().BeTrue();
    }

    private static async Task AppendSomeAsync(HttpClient admin, TestTenant tenant, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var created = await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/tokens", new { name = $"anchor-{i}", scopes = new[] { "conversations:read" } });
            created.StatusCode.Should().Be(HttpStatusCode.Created);
        }
    }

    private static async Task<JsonObject> VerifyAsync(HttpClient admin, TestTenant tenant)
    {
        var response = await admin.PostAsync($"/api/v1/tenants/{tenant.Id}/audit/verify", null);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await response.ReadJsonAsync();
    }
}

public sealed class AuditAnchorTests_Sqlite(SqliteAppFixture fixture) : AuditAnchorTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class AuditAnchorTests_Postgres(PostgresAppFixture fixture) : AuditAnchorTests(fixture), IClassFixture<PostgresAppFixture>;
