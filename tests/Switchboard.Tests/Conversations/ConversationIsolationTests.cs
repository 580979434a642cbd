using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Conversations;

/// <summary>Every conversation, message, contact and media route: another tenant and the operator see 404; nothing changes.</summary>
public abstract class ConversationIsolationTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task A_conversation_moves_between_open_pending_and_resolved()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello")));
        await App.WaitForWebhooksAsync();
        var id = (await App.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<Guid>();
        using var client = App.ClientWithKey(tenant.ApiKey);

        foreach (var (action, status) in new[] { ("pending", "pending"), ("resolve", "resolved"), ("reopen", "open") })
        {
            var response = await client.PostAsync($"/api/v1/tenants/{tenant.Id}/conversations/{id}/{action}", null);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["status"]!.GetValue<string>().Should().Be(status);
            (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"/api/v1/tenants/{tenant.Id}/conversations?status={status}"))!["items"]!.AsArray()
                .Should().ContainSingle(c => c!["id"]!.GetValue<Guid>() == id);
        }
    }

    [Fact]
    public async Task A_conversation_is_assigned_to_a_member_and_the_inbox_filters_by_assignee()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        var agent = await Identity.IdentityTestHelpers.CreateUserAsync(App, tenant, "agent");
        var stranger = await Identity.IdentityTestHelpers.CreateUserAsync(App, other, "agent");
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("who takes this?")));
        await App.WaitForWebhooksAsync();
        var id = (await App.ConversationsAsync(tenant)).Single()!["id"]!.GetValue<Guid>();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var list = $"/api/v1/tenants/{tenant.Id}/conversations";

        (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"{list}?assignee=unassigned"))!["items"]!.AsArray().Should().ContainSingle();
        var refused = await client.PostAsJsonAsync($"{list}/{id}/assign", new { userId = stranger.Id });
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest, "only members of this tenant can be assigned");

        var assigned = await client.PostAsJsonAsync($"{list}/{id}/assign", new { userId = agent.Id });
        assigned.StatusCode.Should().Be(HttpStatusCode.OK);
        (await assigned.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["assigneeId"]!.GetValue<Guid>().Should().Be(agent.Id);
        (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"{list}?assignee=unassigned"))!["items"]!.AsArray().Should().BeEmpty();
        (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"{list}?assignee={agent.Id}"))!["items"]!.AsArray().Should().ContainSingle();
        (await client.GetAsync($"{list}?assignee=me")).StatusCode.Should().Be(HttpStatusCode.BadRequest, "the admin key is not a user");

        (await client.PostAsJsonAsync($"{list}/{id}/assign", new { userId = (Guid?)null })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"{list}?assignee=unassigned"))!["items"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Another_tenant_and_the_operator_get_404_on_every_conversation_route()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(a, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(a.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("private to A")));
        await App.WaitForWebhooksAsync();
        await using var db = App.NewDbContext();
        var conversation = await db.Conversations.SingleAsync(c => c.TenantId == a.Id);
        var message = await db.Messages.SingleAsync(m => m.TenantId == a.Id);

        foreach (var (client, tenantInRoute) in new[] { (App.ClientWithKey(b.ApiKey), a.Id), (App.ClientWithKey(b.ApiKey), b.Id), (App.OperatorClient(), a.Id) })
        {
            using (client)
            {
                var routes = $"/api/v1/tenants/{tenantInRoute}";
                var c = $"{routes}/conversations/{conversation.Id}";
                foreach (var response in new[]
                {
                    await client.GetAsync($"{c}"),
                    await client.PostAsync($"{c}/resolve", null),
                    await client.PostAsync($"{c}/reopen", null),
                    await client.PostAsync($"{c}/pending", null),
                    await client.PostAsJsonAsync($"{c}/assign", new { userId = (Guid?)null }),
                    await client.PostAsync($"{c}/read", null),
                    await client.GetAsync($"{c}/messages"),
                    await client.PostAsJsonAsync($"{c}/messages", new { type = "text", text = "intruder" }),
                    await client.PostAsync($"{c}/messages/{message.Id}/resend", null),
                    await client.GetAsync($"{routes}/contacts/{conversation.ContactId}"),
                    await client.GetAsync($"{routes}/contacts?phone=16505551234"),
                })
                {
                    response.StatusCode.Should().Be(HttpStatusCode.NotFound, response.RequestMessage!.RequestUri!.ToString());
                }

                if (tenantInRoute == a.Id)
                {
                    (await client.GetAsync($"{routes}/conversations")).StatusCode.Should().Be(HttpStatusCode.NotFound);
                }
                else
                {
                    (await client.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>($"{routes}/conversations"))!["items"]!.AsArray().Should().BeEmpty();
                }
            }
        }

        await using var check = App.NewDbContext();
        (await check.Messages.CountAsync(m => m.TenantId == a.Id)).Should().Be(1);
        (await check.Conversations.SingleAsync(c => c.Id == conversation.Id)).Status.Should().Be(conversation.Status);
        (await App.MessagesAsync(a)).Single()["text"]!.GetValue<string>().Should().Be("private to A");
    }
}

public sealed class ConversationIsolationTests_Sqlite(SqliteAppFixture fixture) : ConversationIsolationTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ConversationIsolationTests_Postgres(PostgresAppFixture fixture) : ConversationIsolationTests(fixture), IClassFixture<PostgresAppFixture>;
