using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Configuration;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>
/// Nodes on one database with one master key share one Data Protection key ring (cookies, invite links
/// and sealed user secrets made on one node open on another); the ring is stored sealed, and a node
/// with another master key cannot use it.
/// </summary>
public abstract class DataProtectionKeyTests(DatabaseProvider provider)
{
    [Fact]
    public async Task Two_nodes_share_one_sealed_key_ring_that_another_master_key_cannot_open()
    {
        await using var database = TestDatabase.For(provider);
        await database.CreateAsync();
        await using var node1 = new SwitchboardApp(database);
        _ = node1.Server;
        await using var node2 = new SwitchboardApp(database, SameSecretsAs(node1));
        _ = node2.Server;

        var fromNode1 = Protector(node1).Protect("session of agent 7");
        var fromNode2 = Protector(node2).Protect("invite for agent 8");

        Protector(node2).Unprotect(fromNode1).Should().Be("session of agent 7");
        Protector(node1).Unprotect(fromNode2).Should().Be("invite for agent 8");

        List<string> stored;
        await using (var db = node1.NewDbContext())
        {
            stored = await db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml).ToListAsync();
        }

        stored.Should().NotBeEmpty();
        stored.Should().OnlyContain(xml => xml.Contains("<sealedKey", StringComparison.Ordinal));
        stored.Should().NotContain(xml => xml.Contains("<value>", StringComparison.Ordinal) || xml.Contains("<masterKey", StringComparison.Ordinal));

        await using var stranger = new SwitchboardApp(database, new Dictionary<string, string?> { ["Switchboard:OperatorApiKey"] = node1.OperatorKey });
        _ = stranger.Server;
        stranger.MasterKey.Should().NotBe(node1.MasterKey);
        Protector(stranger).Invoking(p => p.Unprotect(fromNode1)).Should().Throw<CryptographicException>();

        // The stranger's own key (sealed under its master key) does not disturb the cluster.
        Protector(node2).Unprotect(Protector(node1).Protect("still fine")).Should().Be("still fine");
    }

    private static Dictionary<string, string?> SameSecretsAs(SwitchboardApp node) => new()
    {
        ["Switchboard:MasterKey"] = node.MasterKey,
        ["Switchboard:OperatorApiKey"] = node.OperatorKey,
    };

    private static IDataProtector Protector(SwitchboardApp app) =>
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test");
}

public sealed class DataProtectionKeyTests_Sqlite() : DataProtectionKeyTests(DatabaseProvider.Sqlite);

public sealed class DataProtectionKeyTests_Postgres() : DataProtectionKeyTests(DatabaseProvider.Postgres);
