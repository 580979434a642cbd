using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Features.Conversations;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Conversations;

/// <summary>Search over message text through keyed token hashes (ADR 0025): found by words, per tenant, and gone with the contact's key.</summary>
public abstract class MessageSearchTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Inbound_replies_and_notes_are_found_by_their_words_ignoring_case_and_accents()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone,
            WebhookPayloads.Text("Olá, minha matrícula está pendente desde março"),
            WebhookPayloads.Text("Obrigado pela ajuda", from: "16505550002")));
        await App.WaitForWebhooksAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var conversation = (await App.ConversationsAsync(tenant)).First(c => c!["contact"]!["waId"]!.GetValue<string>() == "16505551234")!["id"]!.GetValue<Guid>();
        var reply = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages", new { type = "text", text = "Your enrolment is confirmed now" });
        reply.StatusCode.Should().Be(HttpStatusCode.Accepted, await reply.Content.ReadAsStringAsync());
        var replyId = (await reply.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<Guid>();
        var note = await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages", new { type = "note", text = "Internal: quokka plan agreed" });
        note.StatusCode.Should().Be(HttpStatusCode.Accepted, await note.Content.ReadAsStringAsync());

        var hits = await SearchAsync(client, tenant, "MATRICULA Pendente");
        hits.Should().ContainSingle();
        hits[0]["conversationId"]!.GetValue<Guid>().Should().Be(conversation);
        hits[0]["snippet"]!.GetValue<string>().Should().Contain("matrícula está pendente");

        var replyHits = await SearchAsync(client, tenant, "enrolment");
        replyHits.Should().ContainSingle().Which["messageId"]!.GetValue<Guid>().Should().Be(replyId);
        (await SearchAsync(client, tenant, "quokka")).Should().ContainSingle().Which["snippet"]!.GetValue<string>().Should().Be("Internal: quokka plan agreed");
        (await SearchAsync(client, tenant, "matricula obrigado")).Should().BeEmpty("every word must be in the message");
        (await SearchAsync(client, tenant, "obrigado")).Should().ContainSingle();
        (await SearchAsync(client, tenant, "nothing-like-this")).Should().BeEmpty();

        await using var db = App.NewDbContext();
        var rows = await db.MessageSearchTokens.Where(r => r.TenantId == tenant.Id).ToListAsync();
        rows.Should().NotBeEmpty();
        rows.Should().OnlyContain(r => r.Proof.Length == 8 && r.Bucket >= 0 && r.Bucket < 65536, "a 16-bit bucket and an 8-byte proof, no text");
    }

    [Fact]
    public async Task Results_page_newest_first_and_the_query_is_checked()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone,
            WebhookPayloads.Text("invoice one", 1_760_000_000), WebhookPayloads.Text("invoice two", 1_760_000_100), WebhookPayloads.Text("invoice three", 1_760_000_200)));
        await App.WaitForWebhooksAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/search?q=invoice&limit=2{(cursor is null ? "" : "&cursor=" + cursor)}"))!;
            seen.AddRange(page["items"]!.AsArray().Select(i => i!["snippet"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        seen.Should().BeEquivalentTo(["invoice three", "invoice two", "invoice one"], "each page continues where the last stopped, without repeats");

        foreach (var bad in new[] { "", "%20%20", "a", new string('x', 201) })
        {
            var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/search?q={bad}");
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest, bad);
            (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!["q"].Should().NotBeNull();
        }

        (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/search?q=invoice&cursor=nonsense")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_tenant_never_finds_or_reaches_the_messages()
    {
        var (a, phoneA) = await TenantWithChannelAsync();
        var (b, phoneB) = await TenantWithChannelAsync();
        await App.PostSignedAsync(a.Id, WebhookPayloads.Messages(phoneA, WebhookPayloads.Text("secret refund for tenant a")));
        await App.PostSignedAsync(b.Id, WebhookPayloads.Messages(phoneB, WebhookPayloads.Text("a refund in tenant b")));
        await App.WaitForWebhooksAsync();

        using var clientB = App.ClientWithKey(b.ApiKey);
        (await SearchAsync(clientB, b, "refund")).Should().ContainSingle().Which["snippet"]!.GetValue<string>().Should().Be("a refund in tenant b");
        (await SearchAsync(clientB, b, "secret")).Should().BeEmpty();
        (await clientB.GetAsync($"/api/v1/tenants/{a.Id}/search?q=refund")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var operatorClient = App.OperatorClient();
        (await operatorClient.GetAsync($"/api/v1/tenants/{a.Id}/search?q=refund")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Crypto_erasing_a_contact_makes_their_messages_unfindable()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone,
            WebhookPayloads.Text("diagnosis asthma", 1_760_000_000), WebhookPayloads.Text("asthma inhaler question", 1_760_000_100, from: "16505550002")));
        await App.WaitForWebhooksAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        (await SearchAsync(client, tenant, "asthma")).Should().HaveCount(2);

        await using (var db = App.NewDbContext())
        {
            var directory = App.Services.GetRequiredService<ContactDirectory>();
            var contact = await directory.FindAsync(db, tenant.Id, "16505551234", null, default);
            directory.Erase(contact!);
            await db.SaveChangesAsync();
            (await db.MessageSearchTokens.CountAsync(r => r.TenantId == tenant.Id && r.ContactId == contact!.Id)).Should().Be(0);
        }

        (await SearchAsync(client, tenant, "asthma")).Should().ContainSingle().Which["snippet"]!.GetValue<string>().Should().Be("asthma inhaler question");
        (await SearchAsync(client, tenant, "diagnosis")).Should().BeEmpty();
    }

    [Fact]
    public async Task The_backfill_makes_messages_without_search_rows_findable_resumably_and_only_once()
    {
        var (tenant, phone) = await TenantWithChannelAsync();
        await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone,
            WebhookPayloads.Text("archived walrus question", 1_760_000_000), WebhookPayloads.Text("walrus again", 1_760_000_100),
            WebhookPayloads.Text("another walrus", 1_760_000_200, from: "16505550002")));
        await App.WaitForWebhooksAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var conversation = (await App.ConversationsAsync(tenant)).First(c => c!["contact"]!["waId"]!.GetValue<string>() == "16505551234")!["id"]!.GetValue<Guid>();
        (await client.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/conversations/{conversation}/messages", new { type = "note", text = "walrus note for the team" }))
            .StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await SearchAsync(client, tenant, "walrus")).Should().HaveCount(4);

        // As if stored before the index existed: the messages lose their search rows.
        List<(int Bucket, Guid MessageId, string Proof)> original;
        await using (var db = App.NewDbContext())
        {
            original = Rows(await db.MessageSearchTokens.Where(r => r.TenantId == tenant.Id).ToListAsync());
            await db.MessageSearchTokens.Where(r => r.TenantId == tenant.Id).ExecuteDeleteAsync();
        }

        (await SearchAsync(client, tenant, "walrus")).Should().BeEmpty();

        // A run stopped after its first chunk has committed that chunk; the next run does the rest.
        var backfill = App.Services.GetRequiredService<SearchBackfill>();
        using (var stop = new CancellationTokenSource())
        {
            var first = () => backfill.RunAsync(tenant.Id, 1, p =>
            {
                if (p.Checked > 0)
                {
                    stop.Cancel();
                }
            }, stop.Token);
            await first.Should().ThrowAsync<OperationCanceledException>();
        }

        await using (var db = App.NewDbContext())
        {
            (await db.MessageSearchTokens.Where(r => r.TenantId == tenant.Id).Select(r => r.MessageId).Distinct().CountAsync()).Should().Be(1, "the first chunk was kept");
        }

        var output = new StringWriter();
        (await SearchBackfillCommand.RunAsync(App.Services, ["--tenant", tenant.Id.ToString()], output, TextWriter.Null)).Should().Be(0);
        output.ToString().Should().Contain("4/4 messages checked, 3 indexed, 0 unreadable").And.Contain("/s)");

        var hits = await SearchAsync(client, tenant, "walrus");
        hits.Should().HaveCount(4);
        hits.Select(h => h["snippet"]!.GetValue<string>()).Should().Contain(["archived walrus question", "walrus note for the team"]);
        await using (var db = App.NewDbContext())
        {
            Rows(await db.MessageSearchTokens.Where(r => r.TenantId == tenant.Id).ToListAsync()).Should().Equal(original, "the same rows the live index wrote");
        }

        // Again: nothing is missing, nothing is written twice.
        output = new StringWriter();
        (await SearchBackfillCommand.RunAsync(App.Services, ["--tenant", tenant.Id.ToString()], output, TextWriter.Null)).Should().Be(0);
        output.ToString().Should().Contain("4/4 messages checked, 0 indexed");
        await using (var db = App.NewDbContext())
        {
            (await db.MessageSearchTokens.CountAsync(r => r.TenantId == tenant.Id)).Should().Be(original.Count);
        }

        (await SearchBackfillCommand.RunAsync(App.Services, ["--tenant", "nonsense"], TextWriter.Null, TextWriter.Null)).Should().Be(2);
    }

    private static List<(int Bucket, Guid MessageId, string Proof)> Rows(IEnumerable<MessageSearchToken> rows) =>
        [.. rows.Select(r => (r.Bucket, r.MessageId, Convert.ToHexString(r.Proof))).Order()];

    private static async Task<List<JsonObject>> SearchAsync(HttpClient client, TestTenant tenant, string q)
    {
        var response = await client.GetAsync($"/api/v1/tenants/{tenant.Id}/search?q={Uri.EscapeDataString(q)}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return [.. (await response.Content.ReadFromJsonAsync<JsonObject>())!["items"]!.AsArray().Select(i => i!.AsObject())];
    }

    private async Task<(TestTenant Tenant, string Phone)> TenantWithChannelAsync()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));
        return (tenant, phone);
    }
}

public sealed class MessageSearchTests_Sqlite(SqliteAppFixture fixture) : MessageSearchTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class MessageSearchTests_Postgres(PostgresAppFixture fixture) : MessageSearchTests(fixture), IClassFixture<PostgresAppFixture>;
