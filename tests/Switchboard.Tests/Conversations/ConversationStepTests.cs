using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;
using static Switchboard.Tests.Infrastructure.WebhookPayloads;

namespace Switchboard.Tests.Conversations;

/// <summary>Every writer of a conversation's changes calls the registered steps: in its transaction before the save, and after the commit.</summary>
public abstract class ConversationStepTests(StepAppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_registered_step_sees_every_cause_in_the_transaction_and_after_the_commit()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        var agent = await App.CreateUserAsync(tenant);
        var step = App.Services.GetServices<IConversationStep>().OfType<RecordingStep>().Single();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Hi", now - 30)));
        await App.WaitForWebhooksAsync();
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("Anyone there?", now - 20)));
        await App.WaitForWebhooksAsync();
        var id = (await App.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<Guid>();
        var url = $"/api/v1/tenants/{tenant.Id}/conversations/{id}";
        using var client = App.ClientWithKey(tenant.ApiKey);

        (await client.PostAsJsonAsync($"{url}/messages", new { type = "text", text = "Hello, how can I help?" })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await client.PostAsJsonAsync($"{url}/messages", new { type = "note", text = "regular customer" })).StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await client.PostAsJsonAsync($"{url}/assign", new { userId = agent })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"{url}/pending", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"{url}/reopen", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.PostAsync($"{url}/resolve", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        await App.PostSignedAsync(tenant.Id, Messages(phone, Text("One more thing", now - 10)));
        await App.WaitForWebhooksAsync();

        ConversationCause[] expected =
        [
            ConversationCause.Opened, ConversationCause.CustomerMessage, ConversationCause.Replied, ConversationCause.Reassigned,
            ConversationCause.Pending, ConversationCause.Reopened, ConversationCause.Resolved, ConversationCause.Reopened,
        ];
        step.Planned(id).Should().Equal(expected, "the note is no reply, and every other change is planned once");
        step.Committed(id).Should().Equal(expected, "each planned change is seen again after its commit");
        step.OutsideTransaction.Should().Be(0, "steps plan inside the writer's transaction");
    }

    /// <summary>Records what it is shown, per conversation; plans nothing.</summary>
    internal sealed class RecordingStep : IConversationStep
    {
        private readonly ConcurrentQueue<ConversationChange> planned = new();
        private readonly ConcurrentQueue<ConversationChange> committed = new();

        public int OutsideTransaction { get; private set; }

        public ConversationCause[] Planned(Guid conversationId) => [.. planned.Where(c => c.Conversation.Id == conversationId).Select(c => c.Cause)];

        public ConversationCause[] Committed(Guid conversationId) => [.. committed.Where(c => c.Conversation.Id == conversationId).Select(c => c.Cause)];

        public Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct)
        {
            if (db.Database.CurrentTransaction is null)
            {
                OutsideTransaction++;
            }

            foreach (var change in changes)
            {
                planned.Enqueue(change);
            }

            return Task.CompletedTask;
        }

        public void Committed(IReadOnlyList<ConversationChange> changes)
        {
            foreach (var change in changes)
            {
                committed.Enqueue(change);
            }
        }
    }
}

/// <summary>An app with a <see cref="ConversationStepTests.RecordingStep"/> registered beside the real steps.</summary>
public abstract class StepAppFixture(DatabaseProvider provider) : AppFixture(provider)
{
    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IConversationStep, ConversationStepTests.RecordingStep>();
}

public sealed class SqliteStepAppFixture() : StepAppFixture(DatabaseProvider.Sqlite);

public sealed class PostgresStepAppFixture() : StepAppFixture(DatabaseProvider.Postgres);

public sealed class ConversationStepTests_Sqlite(SqliteStepAppFixture fixture) : ConversationStepTests(fixture), IClassFixture<SqliteStepAppFixture>;

public sealed class ConversationStepTests_Postgres(PostgresStepAppFixture fixture) : ConversationStepTests(fixture), IClassFixture<PostgresStepAppFixture>;
