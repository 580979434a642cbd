using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Conversations;

/// <summary>
/// An inbound batch finds each customer's current conversation by probing the unique (tenant, number, customer, sequence)
/// index, never by reading the tenant's conversations (ADR 0071): the database's own plan for the statement the batch runs,
/// on both databases, in a tenant of 9,000 conversations, and the rows it returns.
/// </summary>
public abstract class ConversationLookupQueryPlanTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const int Customers = 3000;
    private const string UniqueIndex = "IX_Conversations_TenantId_ChannelId_ContactId_Sequence";
    private readonly TestDatabase database = TestDatabase.For(provider);
    private readonly Guid tenantId = Guid.CreateVersion7();
    private readonly Guid numberA = Guid.CreateVersion7();
    private readonly Guid numberB = Guid.CreateVersion7();
    private readonly List<Guid> customers = [];

    public async Task InitializeAsync()
    {
        await database.CreateMigratedAsync();
        await using var db = database.NewDbContext();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        db.Tenants.Add(new Tenant { Id = tenantId, Name = "Lookups", CreatedAt = start });
        var number = 0;
        for (var i = 0; i < Customers; i++)
        {
            var contact = new Contact { TenantId = tenantId, Id = Guid.CreateVersion7(), WaIdIndex = Guid.NewGuid().ToByteArray(), CreatedAt = start, UpdatedAt = start };
            db.Contacts.Add(contact);
            customers.Add(contact.Id);

            // Every customer has two past conversations on number A and one on number B.
            foreach (var (channel, sequence) in new[] { (numberA, 1), (numberA, 2), (numberB, 1) })
            {
                db.Conversations.Add(new Conversation
                {
                    TenantId = tenantId,
                    Id = Guid.CreateVersion7(),
                    ChannelId = channel,
                    ContactId = contact.Id,
                    Sequence = sequence,
                    Number = ++number,
                    CreatedAt = start.AddMinutes(i),
                    UpdatedAt = start.AddMinutes(i),
                    Status = ConversationStatus.Resolved,
                });
            }
        }

        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? "ANALYZE;" : "ANALYZE \"Conversations\";");
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task A_batch_probes_the_unique_index_per_customer_and_gets_each_numbers_current_conversation()
    {
        var asked = customers.Where((_, i) => i % 300 == 0).ToList();
        var keys = asked.Select(c => (tenantId, numberA, c)).Concat(asked.Take(3).Select(c => (tenantId, numberB, c))).ToList();
        await using var db = ExplainInterceptor.NewDbContext(database, out var explain);
        await using var transaction = await db.Database.BeginTransactionAsync();

        var found = await InboundBatch.ConversationsByKeyAsync(db, keys, default);

        explain.Plan.Should().Contain(UniqueIndex);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            explain.Plan.Should().NotContain("Seq Scan", "a lookup must not read the tenant's conversations");

            // Only the current conversation of each key is read and locked.
            found.Should().HaveCount(keys.Count);
        }
        else
        {
            explain.Plan.Should().NotMatchRegex("SCAN (c|Conversations)\\b", "a lookup must not read the tenant's conversations");
        }

        // SQLite's IN lists may add other pairs of the same numbers and customers; every key asked for is there with its current conversation.
        var current = found.GroupBy(c => (c.ChannelId, c.ContactId)).ToDictionary(g => g.Key, g => g.MaxBy(c => c.Sequence)!);
        current.Keys.Should().Contain(keys.Select(k => (k.Item2, k.Item3)));
        current.Where(e => e.Key.ChannelId == numberA).Should().OnlyContain(e => e.Value.Sequence == 2);
        current.Where(e => e.Key.ChannelId == numberB).Should().OnlyContain(e => e.Value.Sequence == 1);
    }
}

public sealed class ConversationLookupQueryPlanTests_Sqlite() : ConversationLookupQueryPlanTests(DatabaseProvider.Sqlite);

public sealed class ConversationLookupQueryPlanTests_Postgres() : ConversationLookupQueryPlanTests(DatabaseProvider.Postgres);
