using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Conversations;

/// <summary>Contact profile: the agent-given name, tenant-defined attributes checked by type, private notes, all sealed with the contact's key.</summary>
public abstract class ContactProfileTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Admins_define_attributes_and_agents_edit_a_contact_whose_values_are_sealed_and_survive_new_messages()
    {
        var (tenant, phone, contactId) = await TenantWithContactAsync("Ana from WhatsApp");
        using var client = App.ClientWithKey(tenant.ApiKey);
        var attributes = $"/api/v1/tenants/{tenant.Id}/contact-attributes";
        (await client.PostAsJsonAsync(attributes, new { key = "student_id", label = "Student id", type = "text" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.PostAsJsonAsync(attributes, new { key = "age", label = "Age", type = "number" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.PostAsJsonAsync(attributes, new { key = "enrolled", label = "Enrolled on", type = "date" })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.PostAsJsonAsync(attributes, new { key = "school", label = "School", type = "list", options = new[] { "North", "South" } })).StatusCode.Should().Be(HttpStatusCode.Created);
        (await client.PostAsJsonAsync(attributes, new { key = "school", label = "Again", type = "text" })).StatusCode.Should().Be(HttpStatusCode.Conflict);
        var badDefinition = await client.PostAsJsonAsync(attributes, new { key = "Bad Key", label = "", type = "colour" });
        badDefinition.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await badDefinition.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("key", "label", "type");
        (await client.GetFromJsonAsync<JsonObject>(attributes))!["items"]!.AsArray().Select(d => d!["key"]!.GetValue<string>())
            .Should().Equal("student_id", "age", "enrolled", "school");

        var contact = $"/api/v1/tenants/{tenant.Id}/contacts/{contactId}";
        var patched = await client.PatchAsJsonAsync(contact, new
        {
            name = "Ana Souza",
            attributes = new Dictionary<string, object> { ["student_id"] = "S-4411", ["age"] = 17, ["enrolled"] = "2026-02-01", ["school"] = "North" },
        });
        patched.StatusCode.Should().Be(HttpStatusCode.OK, await patched.Content.ReadAsStringAsync());
        var body = (await patched.Content.ReadFromJsonAsync<JsonObject>())!;
        body["name"]!.GetValue<string>().Should().Be("Ana Souza");
        body["profileName"]!.GetValue<string>().Should().Be("Ana from WhatsApp");
        body["attributes"]!["student_id"]!.GetValue<string>().Should().Be("S-4411");
        body["attributes"]!["age"]!.GetValue<decimal>().Should().Be(17);
        body["attributes"]!["school"]!.GetValue<string>().Should().Be("North");

        // A new message with WhatsApp's profile name does not undo the agent's name; the number still finds the contact.
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("me again") with { Name = "Ana from WhatsApp" }));
        await App.WaitForWebhooksAsync();
        (await App.ConversationsAsync(tenant)).Single()!["contact"]!["name"]!.GetValue<string>().Should().Be("Ana Souza");
        var found = await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/contacts?phone=%2B1%20650%20555%201234");
        found!["id"]!.GetValue<Guid>().Should().Be(contactId);
        found["name"]!.GetValue<string>().Should().Be("Ana Souza");

        // Clearing the name shows WhatsApp's again; a null value removes an attribute, the others stay.
        var cleared = await client.PatchAsJsonAsync(contact, new { name = "", attributes = new Dictionary<string, object?> { ["age"] = null } });
        var clearedBody = (await cleared.Content.ReadFromJsonAsync<JsonObject>())!;
        clearedBody["name"]!.GetValue<string>().Should().Be("Ana from WhatsApp");
        clearedBody["attributes"]!.AsObject().Select(a => a.Key).Should().BeEquivalentTo("student_id", "enrolled", "school");

        await using var db = App.NewDbContext();
        var row = await db.Contacts.SingleAsync(c => c.TenantId == tenant.Id && c.Id == contactId);
        Encoding.UTF8.GetString(row.Attributes!).Should().NotContain("S-4411").And.NotContain("North");
        (await db.RealtimeEvents.AnyAsync(e => e.TenantId == tenant.Id && e.Type == "contact.changed")).Should().BeTrue();
    }

    [Fact]
    public async Task Values_of_the_wrong_type_or_unknown_keys_are_refused_naming_the_attribute_and_nothing_changes()
    {
        var (tenant, _, contactId) = await TenantWithContactAsync("Bruno");
        using var client = App.ClientWithKey(tenant.ApiKey);
        var attributes = $"/api/v1/tenants/{tenant.Id}/contact-attributes";
        await client.PostAsJsonAsync(attributes, new { key = "age", label = "Age", type = "number" });
        await client.PostAsJsonAsync(attributes, new { key = "enrolled", label = "Enrolled on", type = "date" });
        await client.PostAsJsonAsync(attributes, new { key = "school", label = "School", type = "list", options = new[] { "North", "South" } });
        var contact = $"/api/v1/tenants/{tenant.Id}/contacts/{contactId}";

        var refused = await client.PatchAsJsonAsync(contact, new
        {
            name = "Bruno Lima",
            attributes = new Dictionary<string, object> { ["age"] = "seventeen", ["enrolled"] = "01/02/2026", ["school"] = "East", ["nope"] = "x" },
        });
        refused.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        errors.Select(e => e.Key).Should().BeEquivalentTo("attributes.age", "attributes.enrolled", "attributes.school", "attributes.nope");

        var unchanged = await client.GetFromJsonAsync<JsonObject>(contact);
        unchanged!["name"]!.GetValue<string>().Should().Be("Bruno");
        unchanged["attributes"]!.AsObject().Should().BeEmpty();
        (await client.PatchAsJsonAsync(contact, new { name = new string('x', 201) })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Agents_keep_private_notes_about_a_contact_with_author_and_time_sealed_with_the_contact_key()
    {
        var (tenant, _, contactId) = await TenantWithContactAsync("Carla");
        using var client = App.ClientWithKey(tenant.ApiKey);
        var notes = $"/api/v1/tenants/{tenant.Id}/contacts/{contactId}/notes";

        (await client.PostAsJsonAsync(notes, new { text = "  " })).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var created = await client.PostAsJsonAsync(notes, new { text = "Prefers calls after 6pm" });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        (await created.Content.ReadFromJsonAsync<JsonObject>())!["createdAt"]!.GetValue<DateTimeOffset>().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        (await client.PostAsJsonAsync(notes, new { text = "Asked about the fees" })).StatusCode.Should().Be(HttpStatusCode.Created);

        var list = (await client.GetFromJsonAsync<JsonObject>(notes))!["items"]!.AsArray();
        list.Select(n => n!["text"]!.GetValue<string>()).Should().Equal("Asked about the fees", "Prefers calls after 6pm");
        list[0]!["authorName"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace("the API key's name stands for the author");

        await using var db = App.NewDbContext();
        foreach (var note in await db.ContactNotes.Where(n => n.TenantId == tenant.Id).ToListAsync())
        {
            Encoding.UTF8.GetString(note.Body).Should().NotContain("fees").And.NotContain("6pm");
        }

        // Erasing the contact takes the notes with it.
        var contact = await db.Contacts.SingleAsync(c => c.TenantId == tenant.Id && c.Id == contactId);
        App.Services.GetRequiredService<ContactDirectory>().Erase(contact);
        await db.SaveChangesAsync();
        (await client.GetAsync(notes)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.PatchAsJsonAsync($"/api/v1/tenants/{tenant.Id}/contacts/{contactId}", new { name = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Another_tenant_gets_404_on_every_profile_route_and_nothing_changes()
    {
        var (a, _, contactId) = await TenantWithContactAsync("Dora");
        var b = await App.CreateTenantAsync();
        using var ownClient = App.ClientWithKey(a.ApiKey);
        await ownClient.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/contact-attributes", new { key = "school", label = "School", type = "text" });
        await ownClient.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/contacts/{contactId}/notes", new { text = "kept" });

        foreach (var (client, tenantInRoute) in new[] { (App.ClientWithKey(b.ApiKey), a.Id), (App.ClientWithKey(b.ApiKey), b.Id) })
        {
            using (client)
            {
                var routes = $"/api/v1/tenants/{tenantInRoute}";
                foreach (var response in new[]
                {
                    await client.PatchAsJsonAsync($"{routes}/contacts/{contactId}", new { name = "intruder" }),
                    await client.GetAsync($"{routes}/contacts/{contactId}/notes"),
                    await client.PostAsJsonAsync($"{routes}/contacts/{contactId}/notes", new { text = "intruder" }),
                    await client.PutAsJsonAsync($"{routes}/contact-attributes/school", new { label = "Hacked", type = "text" }),
                    await client.DeleteAsync($"{routes}/contact-attributes/school"),
                })
                {
                    response.StatusCode.Should().Be(HttpStatusCode.NotFound, response.RequestMessage!.RequestUri!.ToString());
                }
            }
        }

        var contact = await ownClient.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{a.Id}/contacts/{contactId}");
        contact!["name"]!.GetValue<string>().Should().Be("Dora");
        (await ownClient.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{a.Id}/contact-attributes"))!["items"]![0]!["label"]!.GetValue<string>().Should().Be("School");
        (await ownClient.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{a.Id}/contacts/{contactId}/notes"))!["items"]!.AsArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Attribute_definitions_are_audited()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var attributes = $"/api/v1/tenants/{tenant.Id}/contact-attributes";
        await client.PostAsJsonAsync(attributes, new { key = "school", label = "School", type = "list", options = new[] { "North" } });
        (await client.PutAsJsonAsync($"{attributes}/school", new { label = "Campus", type = "list", options = new[] { "North", "South" } })).StatusCode.Should().Be(HttpStatusCode.OK);
        (await client.DeleteAsync($"{attributes}/school")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var audit = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/audit"))!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        audit.Should().ContainInOrder("contact_attribute.deleted", "contact_attribute.updated", "contact_attribute.created");
    }

    private async Task<(TestTenant Tenant, string Phone, Guid ContactId)> TenantWithContactAsync(string name)
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello") with { Name = name }));
        await App.WaitForWebhooksAsync();
        var contactId = (await App.ConversationsAsync(tenant)).Single()!["contact"]!["id"]!.GetValue<Guid>();
        return (tenant, phone, contactId);
    }
}

public sealed class ContactProfileTests_Sqlite(SqliteAppFixture fixture) : ContactProfileTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class ContactProfileTests_Postgres(PostgresAppFixture fixture) : ContactProfileTests(fixture), IClassFixture<PostgresAppFixture>;
