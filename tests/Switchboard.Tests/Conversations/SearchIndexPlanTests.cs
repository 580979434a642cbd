using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Conversations;

/// <summary>
/// The search index's second index follows messages (ADR 0073): erasing messages or a contact removes their search rows
/// through it, never by reading the tenant's whole index, on both databases, in a tenant of 120 customers with 10 rows
/// for each of their 2,400 messages; and exactly their rows go.
/// </summary>
public abstract class SearchIndexPlanTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const int Customers = 120;
    private const int MessagesEach = 20;
    private const int RowsEach = 10;
    private const string MessageIndex = "IX_MessageSearchTokens_TenantId_MessageId";
    private readonly TestDatabase database = TestDatabase.For(provider);
    private readonly Guid tenantId = Guid.CreateVersion7();
    private readonly Guid numberId = Guid.CreateVersion7();
    private readonly List<(Guid Contact, List<Guid> Messages)> customers = [];

    public async Task InitializeAsync()
    {
        await database.CreateMigratedAsync();
        await using var db = database.NewDbContext();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        db.Tenants.Add(new Tenant { Id = tenantId, Name = "Search rows", CreatedAt = start });
        var conversations = new List<Conversation>();
        var messages = new List<Message>();
        var rows = new List<MessageSearchToken>();
        for (var i = 0; i < Customers; i++)
        {
            var contact = new Contact { TenantId = tenantId, Id = Guid.CreateVersion7(), WaIdIndex = Guid.NewGuid().ToByteArray(), CreatedAt = start, UpdatedAt = start };
            db.Contacts.Add(contact);
            var conversation = new Conversation
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(),
                ChannelId = numberId,
                ContactId = contact.Id,
                Sequence = 1,
                Number = i + 1,
                CreatedAt = start,
                UpdatedAt = start,
                Status = ConversationStatus.Open,
            };
            conversations.Add(conversation);
            var theirs = new List<Guid>();
            for (var m = 0; m < MessagesEach; m++)
            {
                var message = new Message
                {
                    TenantId = tenantId,
                    Id = Guid.CreateVersion7(),
                    ConversationId = conversation.Id,
                    ChannelId = numberId,
                    ContactId = contact.Id,
                    Wamid = $"wamid.{i}.{m}",
                    Direction = MessageDirection.Inbound,
                    Type = "text",
                    Timestamp = start.AddMinutes(m),
                    CreatedAt = start.AddMinutes(m),
                };
                messages.Add(message);
                theirs.Add(message.Id);
                for (var r = 0; r < RowsEach; r++)
                {
                    rows.Add(new MessageSearchToken { TenantId = tenantId, Bucket = Random.Shared.Next(65536), MessageId = message.Id, Proof = Guid.NewGuid().ToByteArray()[..8], ContactId = contact.Id });
                }
            }

            customers.Add((contact.Id, theirs));
        }

        await db.SaveChangesAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await BulkInsert.InsertAsync(db, conversations, default);
        await BulkInsert.InsertAsync(db, messages, default);
        await BulkInsert.InsertAsync(db, rows, default);
        await transaction.CommitAsync();
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? "ANALYZE;" : """ANALYZE "Messages"; ANALYZE "MessageSearchTokens";""");
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task Erasing_messages_removes_their_rows_through_the_index_by_message()
    {
        var erased = customers[7].Messages.Take(3).ToList();
        await using var db = ExplainInterceptor.NewDbContext(database, out var explain);

        await new SearchContactErase().EraseMessagesAsync(db, new MessageErasure(tenantId, erased), default);

        ReadsTheIndexByMessage(explain.Plan);
        await using var check = database.NewDbContext();
        (await check.MessageSearchTokens.CountAsync(r => r.TenantId == tenantId && erased.Contains(r.MessageId))).Should().Be(0);
        (await check.MessageSearchTokens.CountAsync(r => r.TenantId == tenantId)).Should().Be(((Customers * MessagesEach) - erased.Count) * RowsEach);
    }

    [Fact]
    public async Task Erasing_a_contact_removes_its_rows_through_its_messages_and_the_index_by_message()
    {
        var (contact, _) = customers[42];
        await using var db = ExplainInterceptor.NewDbContext(database, out var explain);

        await new SearchContactErase().EraseContactAsync(db, new ContactErasure(tenantId, contact, null, null), default);

        ReadsTheIndexByMessage(explain.Plan);
        await using var check = database.NewDbContext();
        (await check.MessageSearchTokens.CountAsync(r => r.TenantId == tenantId && r.ContactId == contact)).Should().Be(0);
        (await check.MessageSearchTokens.CountAsync(r => r.TenantId == tenantId)).Should().Be((Customers - 1) * MessagesEach * RowsEach);
    }

    private void ReadsTheIndexByMessage(string plan)
    {
        plan.Should().Contain(MessageIndex);
        if (database.Provider == DatabaseProvider.Postgres)
        {
            plan.Should().NotContain("Seq Scan on \"MessageSearchTokens\"", "erasing must not read the tenant's whole index");
        }
        else
        {
            plan.Should().Contain($"USING INDEX {MessageIndex} (TenantId=? AND MessageId=?)", "each message's rows are found by exact key");
        }
    }
}

public sealed class SearchIndexPlanTests_Sqlite() : SearchIndexPlanTests(DatabaseProvider.Sqlite);

public sealed class SearchIndexPlanTests_Postgres() : SearchIndexPlanTests(DatabaseProvider.Postgres);
