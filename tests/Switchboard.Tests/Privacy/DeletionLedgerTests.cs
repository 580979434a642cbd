using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Privacy;
using Switchboard.Tests.Identity;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Privacy;

/// <summary>
/// The deletion ledger and the backup commands (issue 20 item 4, ADR 0038): real backups (pg_dump, SQLite's online
/// backup API) and restores run as the operator runs them, then a server started on the restored data.
/// </summary>
public abstract class DeletionLedgerTests(DatabaseProvider provider) : IAsyncLifetime
{
    private readonly TestDatabase database = TestDatabase.For(provider);
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "switchboard-tests", "ledger-" + Guid.NewGuid().ToString("N"));
    private readonly string backups = Path.Combine(Path.GetTempPath(), "switchboard-tests", "backups-" + Guid.NewGuid().ToString("N"));
    private readonly string masterKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private string Ledger => Path.Combine(dataDirectory, DeletionLedger.FileName);

    public Task InitializeAsync() => database.CreateAsync();

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        foreach (var folder in new[] { dataDirectory, backups })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task An_old_backup_restored_after_an_erase_starts_without_the_customer_or_their_key_and_re_applies_only_once()
    {
        PrivacyScenario s;
        var blob = "";
        await using (var before = Start())
        {
            s = await PrivacyScenario.CreateAsync(before);
            blob = Path.Combine(dataDirectory, "media", s.Tenant.Id.ToString("N"), s.AdaMedia.ToString("N") + ".bin");
            await BackUpAsync(before, "old");
            using var client = before.ClientWithKey(s.Tenant.ApiKey);
            (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var ledger = await File.ReadAllTextAsync(Ledger);
        ledger.Should().Contain(s.Ada.ToString()).And.Contain(DeletionKinds.ContactErased);
        ledger.Should().NotContain("Lovelace").And.NotContain(PrivacyScenario.AdaWaId).And.NotContain(PrivacyScenario.AdaText)
            .And.NotContain("ada's picture", "the ledger holds ids and key ids, never content");

        await RestoreAsync("old");
        await using (var restored = database.NewDbContext())
        {
            (await restored.Contacts.IgnoreQueryFilters().SingleAsync(c => c.Id == s.Ada)).DataKey.Should().NotBeNull("the control: the old backup holds Ada and her wrapped key");
            (await restored.Set<AppliedDeletion>().IgnoreQueryFilters().CountAsync()).Should().Be(0);
        }

        File.Exists(blob).Should().BeTrue("the control: the old backup brought Ada's picture back");

        await using (var after = Start())
        {
            _ = after.Server;
            using var client = after.ClientWithKey(s.Tenant.ApiKey);
            (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts?phone=%2B{PrivacyScenario.AdaWaId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.AdaConversation}/messages")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await client.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/media/{s.AdaMedia}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await after.ConversationsAsync(s.Tenant)).Select(c => c!["id"]!.GetValue<Guid>()).Should().Equal(s.BobConversation);
            (await after.MessagesAsync(s.Tenant)).Select(m => m["text"]!.GetValue<string>()).Should().Equal(PrivacyScenario.BobText);
            var hits = (await client.GetJsonAsync($"/api/v1/tenants/{s.Tenant.Id}/search?q=private"))["items"]!.AsArray();
            hits.Should().ContainSingle().Which!["conversationId"]!.GetValue<Guid>().Should().Be(s.BobConversation);

            await using var db = after.NewDbContext();
            (await db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == s.Ada)).Should().BeFalse("the contact row and the wrapped key on it are gone");
            (await db.Messages.IgnoreQueryFilters().AnyAsync(m => m.ContactId == s.Ada)).Should().BeFalse();
            (await db.MediaObjects.IgnoreQueryFilters().AnyAsync(m => m.ContactId == s.Ada)).Should().BeFalse();
            (await db.MessageSearchTokens.IgnoreQueryFilters().AnyAsync(r => r.ContactId == s.Ada)).Should().BeFalse();
            File.Exists(blob).Should().BeFalse("the restored picture is deleted with its row");
            (await db.AuditEntries.CountAsync(e => e.TenantId == s.Tenant.Id && e.Action == PrivacyAudit.DeletionReapplied)).Should().Be(1);
            (await db.Set<AppliedDeletion>().IgnoreQueryFilters().CountAsync()).Should().Be(1);
        }

        // Started again: nothing left to re-apply, nothing done twice, the ledger unchanged.
        await using (var again = Start())
        {
            _ = again.Server;
            await using var db = again.NewDbContext();
            (await db.AuditEntries.CountAsync(e => e.TenantId == s.Tenant.Id && e.Action == PrivacyAudit.DeletionReapplied)).Should().Be(1);
            (await db.Set<AppliedDeletion>().IgnoreQueryFilters().CountAsync()).Should().Be(1);
            (await again.MessagesAsync(s.Tenant)).Select(m => m["text"]!.GetValue<string>()).Should().Equal(PrivacyScenario.BobText);
        }

        (await File.ReadAllTextAsync(Ledger)).Should().Be(ledger);
    }

    [Fact]
    public async Task An_agent_account_deleted_after_the_backup_is_gone_again_once_the_backup_is_restored()
    {
        PrivacyScenario s;
        TestUser agent;
        await using (var before = Start())
        {
            s = await PrivacyScenario.CreateAsync(before);
            agent = await IdentityTestHelpers.CreateUserAsync(before, s.Tenant, "agent");
            await BackUpAsync(before, "old");
            using var admin = before.ClientWithKey(s.Tenant.ApiKey);
            (await admin.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/users/{agent.Id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var ledger = await File.ReadAllTextAsync(Ledger);
        ledger.Should().Contain(DeletionKinds.UserDeleted).And.Contain(agent.Id.ToString()).And.NotContain(agent.Email, "ids only");

        await RestoreAsync("old");
        await using (var restored = database.NewDbContext())
        {
            (await restored.Users.AnyAsync(u => u.Id == agent.Id)).Should().BeTrue("the control: the old backup holds the account");
        }

        await using var after = Start();
        _ = after.Server;
        using var client = after.ClientWithKey(s.Tenant.ApiKey);
        (await client.GetStringAsync($"/api/v1/tenants/{s.Tenant.Id}/users")).Should().NotContain(agent.Id.ToString()).And.NotContain(agent.Email);
        await using var db = after.NewDbContext();
        (await db.Users.AnyAsync(u => u.Id == agent.Id)).Should().BeFalse("the account, its password and authenticator are deleted again");
        (await db.Memberships.AnyAsync(m => m.UserId == agent.Id)).Should().BeFalse();
        (await db.AuditEntries.AnyAsync(e => e.ActorName == agent.Email)).Should().BeFalse("its audit entries keep only the pseudonym");
    }

    [Fact]
    public async Task A_backup_taken_after_the_erase_does_not_bring_the_customer_back_either()
    {
        PrivacyScenario s;
        await using (var before = Start())
        {
            s = await PrivacyScenario.CreateAsync(before);
            using var client = before.ClientWithKey(s.Tenant.ApiKey);
            (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.BobConversation}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            await BackUpAsync(before, "new");
        }

        await RestoreAsync("new");
        await using var after = Start();
        _ = after.Server;
        using var api = after.ClientWithKey(s.Tenant.ApiKey);
        (await api.GetAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await after.ConversationsAsync(s.Tenant)).Should().BeEmpty();
        await using var db = after.NewDbContext();
        (await db.Contacts.IgnoreQueryFilters().AnyAsync(c => c.Id == s.Ada)).Should().BeFalse();
        (await db.Set<AppliedDeletion>().IgnoreQueryFilters().Select(a => a.Sequence).OrderBy(q => q).ToListAsync()).Should().Equal(1L, 2L);
        (await db.AuditEntries.AnyAsync(e => e.Action == PrivacyAudit.DeletionReapplied)).Should().BeFalse("the backup already held both deletions");
    }

    [Fact]
    public async Task A_changed_or_cut_ledger_is_refused_at_start_with_a_clear_error()
    {
        PrivacyScenario s;
        await using (var before = Start())
        {
            s = await PrivacyScenario.CreateAsync(before);
            using var client = before.ClientWithKey(s.Tenant.ApiKey);
            (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/contacts/{s.Ada}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
            (await client.DeleteAsync($"/api/v1/tenants/{s.Tenant.Id}/conversations/{s.BobConversation}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        }

        var original = await File.ReadAllTextAsync(Ledger);
        await File.WriteAllTextAsync(Ledger, original.Replace(s.Ada.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal));
        StartFailure().Should().Contain("fails verification at line 1");

        var lines = original.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await File.WriteAllTextAsync(Ledger, lines[0] + "\n");
        StartFailure().Should().Contain("does not hold entry 2");

        await File.WriteAllTextAsync(Ledger, lines[1] + "\n" + lines[0] + "\n");
        StartFailure().Should().Contain("fails verification at line 1");

        await File.WriteAllTextAsync(Ledger, original);
        await using var intact = Start();
        _ = intact.Server;
        (await intact.MessagesAsync(s.Tenant)).Should().BeEmpty("the control: the untouched ledger starts");
    }

    private SwitchboardApp Start() => new(database, new Dictionary<string, string?> { ["Switchboard:MasterKey"] = masterKey }, dataDirectory);

    private string StartFailure()
    {
        SqliteConnection.ClearAllPools();
        using var app = Start();
        var failure = Record.Exception(() => _ = app.Server);
        failure.Should().NotBeNull("a server must not start on a ledger that fails verification");
        return failure!.ToString();
    }

    private async Task BackUpAsync(SwitchboardApp app, string name)
    {
        var (code, output) = await SwitchboardProcess.RunCommandAsync(CommandSettings(app), BackupCommands.Backup, "--output", Path.Combine(backups, name));
        code.Should().Be(0, output);
        File.Exists(Path.Combine(backups, name, "manifest.json")).Should().BeTrue();
    }

    private async Task RestoreAsync(string name)
    {
        // The test process's own idle connections would count as sessions of a running server.
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        using var app = Start();
        var (code, output) = await SwitchboardProcess.RunCommandAsync(CommandSettings(app), BackupCommands.Restore, "--input", Path.Combine(backups, name));
        code.Should().Be(0, output);
        SqliteConnection.ClearAllPools();
    }

    private static Dictionary<string, string?> CommandSettings(SwitchboardApp app)
    {
        var settings = app.Settings.Where(s => !s.Key.StartsWith("Logging", StringComparison.Ordinal)).ToDictionary();
        settings["Switchboard:Backup:PostgresBinDirectory"] = Environment.GetEnvironmentVariable("SWITCHBOARD_TEST_PG_BIN");
        return settings;
    }
}

public sealed class DeletionLedgerTests_Sqlite() : DeletionLedgerTests(DatabaseProvider.Sqlite);

public sealed class DeletionLedgerTests_Postgres() : DeletionLedgerTests(DatabaseProvider.Postgres);

/// <summary>The ledger file itself: appends from several writers, each with its own lock holder, and a torn last line.</summary>
public sealed class DeletionLedgerFileTests : IDisposable
{
    private readonly string path = Path.Combine(Path.GetTempPath(), "switchboard-tests", "ledger-file-" + Guid.NewGuid().ToString("N"), DeletionLedger.FileName);
    private readonly MasterKeyRing keys = new(RandomNumberGenerator.GetBytes(32), []);

    [Fact]
    public async Task Writers_that_append_at_once_never_interleave_or_reuse_a_number()
    {
        // Two ledgers on one file share no semaphore: only the file lock keeps them apart, as between two nodes.
        using var first = Ledger();
        using var second = Ledger();
        var tenant = Guid.NewGuid();
        var writes = new[] { first, second }.Select(ledger => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await ledger.AppendAsync(new DeletionRecord(DeletionKinds.MessagesDeleted, tenant, [Guid.NewGuid()], []), default);
            }
        }));
        await Task.WhenAll(writes);

        var entries = await first.ReadVerifiedAsync(default);
        entries.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 80).Select(i => (long)i));
        entries.SelectMany(e => e.Record.Subjects).Should().OnlyHaveUniqueItems().And.HaveCount(80);
    }

    [Fact]
    public async Task A_line_torn_by_a_crash_is_ignored_and_cut_off_by_the_next_append()
    {
        using var ledger = Ledger();
        var tenant = Guid.NewGuid();
        await ledger.AppendAsync(new DeletionRecord(DeletionKinds.ContactErased, tenant, [Guid.NewGuid()], [DeletionKeyIds.Contact(Guid.NewGuid())]), default);
        await File.AppendAllTextAsync(path, "{\"seq\":2,\"at\":\"2026-");

        (await ledger.ReadVerifiedAsync(default)).Should().ContainSingle();
        var next = await ledger.AppendAsync(new DeletionRecord(DeletionKinds.TenantErased, tenant, [tenant], [DeletionKeyIds.Tenant(tenant, "data", 1)]), default);

        next.Sequence.Should().Be(2);
        (await ledger.ReadVerifiedAsync(default)).Select(e => e.Record.Kind).Should().Equal(DeletionKinds.ContactErased, DeletionKinds.TenantErased);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);

    private DeletionLedger Ledger() =>
        new(Microsoft.Extensions.Options.Options.Create(new SwitchboardOptions { DeletionLedgerPath = path }), keys, TimeProvider.System);
}
