using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Persistence.Migrations;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Conversations;

/// <summary>
/// A page of the inbox is read in the order of the activity index (schema version 8), not by sorting all
/// of a tenant's conversations: the database's own plan for the query the API runs, on both databases.
/// </summary>
public abstract class InboxPageQueryPlanTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const int Conversations = 3000;
    private readonly TestDatabase database = TestDatabase.For(provider);
    private readonly Guid tenantId = Guid.CreateVersion7();

    public async Task InitializeAsync()
    {
        await database.CreateAsync();
        await using var db = database.NewDbContext();
        await db.Database.MigrateAsync();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        db.Tenants.Add(new Tenant { Id = tenantId, Name = "Plans", CreatedAt = start });
        var channelId = Guid.CreateVersion7();
        for (var i = 0; i < Conversations; i++)
        {
            var contact = new Contact { TenantId = tenantId, Id = Guid.CreateVersion7(), WaIdIndex = Guid.NewGuid().ToByteArray(), CreatedAt = start, UpdatedAt = start };
            db.Contacts.Add(contact);
            db.Conversations.Add(new Conversation
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(),
                ChannelId = channelId,
                ContactId = contact.Id,
                Number = i + 1,
                CreatedAt = start.AddMinutes(i),
                UpdatedAt = start.AddMinutes(i),
                LastMessageAt = i % 3 == 0 ? null : start.AddMinutes(i + (i % 7 * 100)),
                Status = i % 4 == 0 ? ConversationStatus.Resolved : ConversationStatus.Open,
            });
        }

        await db.SaveChangesAsync();
        await db.Database.ExecuteSqlRawAsync(db.IsSqlite ? "ANALYZE;" : "ANALYZE \"Conversations\"; ANALYZE \"Contacts\";");
    }

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Fact]
    public async Task The_first_page_reads_the_activity_index_in_order()
    {
        var (plan, rows) = await PlanOfAsync(db => ListConversations.Page(db, db.Conversations.Where(c => c.TenantId == tenantId), null, 51));

        rows.Should().HaveCount(51);
        rows.Select(r => (r.Conversation.LastMessageAt ?? r.Conversation.CreatedAt, r.Conversation.Id)).Should().BeInDescendingOrder();
        ShouldReadTheIndexInOrder(plan);
    }

    [Fact]
    public async Task A_later_page_seeks_to_the_cursor_and_a_status_filter_keeps_the_order()
    {
        List<ConversationRow> first;
        await using (var db = database.NewDbContext())
        {
            first = await ListConversations.Page(db, db.Conversations.Where(c => c.TenantId == tenantId), null, 1000).ToListAsync();
        }

        var last = first[^1].Conversation;
        var (plan, rows) = await PlanOfAsync(db => ListConversations.Page(
            db, db.Conversations.Where(c => c.TenantId == tenantId && c.Status == ConversationStatus.Open), (last.LastMessageAt ?? last.CreatedAt, last.Id), 51));

        rows.Should().HaveCount(51);
        rows.Select(r => r.Conversation.Id).Should().NotIntersectWith(first.Select(r => r.Conversation.Id));
        rows.Should().OnlyContain(r => r.Conversation.Status == ConversationStatus.Open && (r.Conversation.LastMessageAt ?? r.Conversation.CreatedAt) <= (last.LastMessageAt ?? last.CreatedAt));
        ShouldReadTheIndexInOrder(plan);
    }

    private static void ShouldReadTheIndexInOrder(string plan)
    {
        plan.Should().Contain(ConversationActivityIndex.Name);
        plan.Should().NotContainAny(["TEMP B-TREE", "Sort"], "a page must not sort all of the tenant's conversations");
    }

    private async Task<(string Plan, List<ConversationRow> Rows)> PlanOfAsync(Func<SwitchboardDbContext, IQueryable<ConversationRow>> page)
    {
        await using var db = ExplainInterceptor.NewDbContext(database, out var explain);
        var rows = await page(db).ToListAsync();
        return (explain.Plan, rows);
    }
}

public sealed class InboxPageQueryPlanTests_Sqlite() : InboxPageQueryPlanTests(DatabaseProvider.Sqlite);

public sealed class InboxPageQueryPlanTests_Postgres() : InboxPageQueryPlanTests(DatabaseProvider.Postgres);
