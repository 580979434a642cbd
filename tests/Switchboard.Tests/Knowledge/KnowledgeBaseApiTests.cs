using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Security;
using Switchboard.Features.Knowledge;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Knowledge;

/// <summary>The knowledge base's API: articles managed with kb:manage, drafts hidden from agents, search kept in step, public pages.</summary>
public abstract class KnowledgeBaseApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task An_article_is_created_read_listed_changed_and_deleted_with_audit_entries()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var articles = $"/api/v1/tenants/{tenant.Id}/kb/articles";

        var created = await client.PostAsJsonAsync(articles, new { title = "Returning an item", body = "You can return items within **30 days**.", category = "Returns", published = false });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var article = await created.ReadJsonAsync();
        var id = article["id"]!.GetValue<string>();
        created.Headers.Location!.ToString().Should().EndWith($"/kb/articles/{id}");
        article["published"]!.GetValue<bool>().Should().BeFalse();
        article["url"].Should().BeNull("a draft has no public page");
        article["category"]!.GetValue<string>().Should().Be("Returns");

        (await client.PostAsJsonAsync(articles, new { title = "Shipping", body = "3 to 5 days.", published = true })).StatusCode.Should().Be(HttpStatusCode.Created);
        var list = (await client.GetFromJsonAsync<JsonObject>(articles))!["items"]!.AsArray();
        list.Select(a => a!["title"]!.GetValue<string>()).Should().Equal("Returning an item", "Shipping");
        (await client.GetFromJsonAsync<JsonObject>($"{articles}?category=Returns"))!["items"]!.AsArray().Should().ContainSingle();

        var changed = await client.PutAsJsonAsync($"{articles}/{id}", new { title = "Returns", body = "Within 60 days now.", category = "Returns", published = true });
        changed.StatusCode.Should().Be(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        var read = (await client.GetFromJsonAsync<JsonObject>($"{articles}/{id}"))!;
        read["body"]!.GetValue<string>().Should().Be("Within 60 days now.");
        read["url"]!.GetValue<string>().Should().EndWith($"/kb/{tenant.Id}/{id}");

        (await client.DeleteAsync($"{articles}/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await client.GetAsync($"{articles}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await client.DeleteAsync($"{articles}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var audit = (await Identity.IdentityTestHelpers.AuditAsync(App, tenant))["actions"]!.AsArray().Select(a => a!.GetValue<string>());
        audit.Where(a => a.StartsWith("kb_article.", StringComparison.Ordinal))
            .Should().Equal("kb_article.created", "kb_article.created", "kb_article.published", "kb_article.deleted");
    }

    [Fact]
    public async Task Invalid_articles_are_refused_with_field_errors_and_change_nothing()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var articles = $"/api/v1/tenants/{tenant.Id}/kb/articles";
        var good = await (await client.PostAsJsonAsync(articles, new { title = "Original", body = "Original body", published = true })).ReadJsonAsync();

        var blank = await client.PostAsJsonAsync(articles, new { title = "   ", body = "", category = new string('c', 81) });
        blank.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await blank.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key.ToLowerInvariant()).Should().BeEquivalentTo("title", "body", "category");

        var tooLong = await client.PutAsJsonAsync($"{articles}/{good["id"]}", new { title = "Changed", body = new string('x', KnowledgeArticle.BodyMax + 1) });
        tooLong.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await tooLong.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key.ToLowerInvariant()).Should().Equal("body");

        var missing = await client.PostAsJsonAsync(articles, new { body = "no title" });
        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);

        var items = (await client.GetFromJsonAsync<JsonObject>(articles))!["items"]!.AsArray();
        items.Should().ContainSingle().Which!["title"]!.GetValue<string>().Should().Be("Original");
        (await client.GetAsync($"/api/v1/tenants/{tenant.Id}/kb/search?q=")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Agents_read_and_search_published_articles_only_and_managers_manage_drafts()
    {
        var tenant = await App.CreateTenantAsync();
        var agent = await App.CreateUserAsync(tenant, "agent");
        var manager = await App.CreateUserAsync(tenant, "manager");
        using var asAgent = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, agent, Permissions.Of(TenantRole.Agent)));
        using var asManager = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, manager, Permissions.Of(TenantRole.Manager)));
        var articles = $"/api/v1/tenants/{tenant.Id}/kb/articles";

        var refused = await asAgent.PostAsJsonAsync(articles, new { title = "Mine", body = "Agent text", published = true });
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var draft = await (await asManager.PostAsJsonAsync(articles, new { title = "Upcoming warranty policy", body = "Draft warranty text", published = false })).ReadJsonAsync();
        var published = await (await asManager.PostAsJsonAsync(articles, new { title = "Warranty", body = "Two years of warranty.", published = true })).ReadJsonAsync();
        draft["authorName"].Should().NotBeNull();

        (await asManager.GetFromJsonAsync<JsonObject>(articles))!["items"]!.AsArray().Should().HaveCount(2, "managers see drafts");
        (await asAgent.GetFromJsonAsync<JsonObject>(articles))!["items"]!.AsArray().Select(a => a!["id"]!.GetValue<string>())
            .Should().Equal(published["id"]!.GetValue<string>());
        (await asAgent.GetAsync($"{articles}/{draft["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound, "a draft does not exist for agents");
        (await asAgent.PutAsJsonAsync($"{articles}/{published["id"]}", new { title = "x", body = "y" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await asAgent.DeleteAsync($"{articles}/{published["id"]}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var hits = (await asAgent.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/kb/search?q=warranty"))!["items"]!.AsArray();
        hits.Select(h => h!["id"]!.GetValue<string>()).Should().Equal(published["id"]!.GetValue<string>());
        hits[0]!["snippet"]!.GetValue<string>().Should().Contain("warranty");
        hits[0]!["url"]!.GetValue<string>().Should().EndWith($"/kb/{tenant.Id}/{published["id"]}");
        (await asManager.GetFromJsonAsync<JsonObject>(articles))!["items"]!.AsArray().Should().HaveCount(2);
    }

    [Fact]
    public async Task Another_tenants_articles_are_not_found_and_not_searched()
    {
        var a = await App.CreateTenantAsync();
        var b = await App.CreateTenantAsync();
        using var clientA = App.ClientWithKey(a.ApiKey);
        using var clientB = App.ClientWithKey(b.ApiKey);
        var article = await (await clientA.PostAsJsonAsync($"/api/v1/tenants/{a.Id}/kb/articles", new { title = "Secret recipe", body = "Only for tenant A", published = true })).ReadJsonAsync();
        var id = article["id"]!.GetValue<string>();

        (await clientB.GetAsync($"/api/v1/tenants/{b.Id}/kb/articles/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await clientB.PutAsJsonAsync($"/api/v1/tenants/{b.Id}/kb/articles/{id}", new { title = "Stolen", body = "x" })).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await clientB.DeleteAsync($"/api/v1/tenants/{b.Id}/kb/articles/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await clientB.GetAsync($"/api/v1/tenants/{a.Id}/kb/articles/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await clientB.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{b.Id}/kb/search?q=secret+recipe"))!["items"]!.AsArray().Should().BeEmpty();
        (await App.CreateClient().GetAsync($"/kb/{b.Id}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await clientA.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{a.Id}/kb/articles/{id}"))!["title"]!.GetValue<string>().Should().Be("Secret recipe");
    }

    [Fact]
    public async Task Search_ranks_title_matches_first_folds_accents_and_stays_in_step_with_changes_and_deletes()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var articles = $"/api/v1/tenants/{tenant.Id}/kb/articles";
        async Task<string> CreateAsync(string title, string body) =>
            (await (await client.PostAsJsonAsync(articles, new { title, body, published = true })).ReadJsonAsync())["id"]!.GetValue<string>();
        async Task<List<string>> SearchAsync(string q) =>
            [.. (await client.GetFromJsonAsync<JsonObject>($"/api/v1/tenants/{tenant.Id}/kb/search?q={Uri.EscapeDataString(q)}"))!["items"]!.AsArray().Select(h => h!["id"]!.GetValue<string>())];

        var mentions = await CreateAsync("Opening hours", "Our shop is open every day. Refunds are handled by the online team.");
        var about = await CreateAsync("Refunds", "How refunds work: we refund the original payment method within ten days.");
        var envio = await CreateAsync("Envío gratis", "El envío es gratuito en pedidos superiores a 50 €.");

        (await SearchAsync("when do I get my refund?")).Should().Equal(about, mentions);
        (await SearchAsync("ENVIOS gratis")).Should().Equal(envio);

        await client.PutAsJsonAsync($"{articles}/{envio}", new { title = "Costes de entrega", body = "La entrega cuesta 4,99 €.", published = true });
        (await SearchAsync("envio")).Should().BeEmpty("the old words left the index with the change");
        (await SearchAsync("entrega")).Should().Equal(envio);

        await client.PutAsJsonAsync($"{articles}/{envio}", new { title = "Costes de entrega", body = "La entrega cuesta 4,99 €.", published = false });
        (await SearchAsync("entrega")).Should().BeEmpty("drafts are never found");

        (await client.DeleteAsync($"{articles}/{about}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await SearchAsync("refunds")).Should().Equal(mentions);

        await using var db = App.NewDbContext();
        if (db.IsSqlite)
        {
            (await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM \"KnowledgeArticleSearch\" WHERE \"ArticleId\" = {0}", about.ToUpperInvariant()).SingleAsync())
                .Should().Be(0, "the FTS row went with its article");
        }
    }

    [Fact]
    public async Task The_public_page_shows_a_published_article_safely_and_nothing_else()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);
        var articles = $"/api/v1/tenants/{tenant.Id}/kb/articles";
        var body = "# Sizes\n\nSee the [size chart](https://example.com/sizes) and **measure twice**.\n\n<script>alert(1)</script>\n\n[click me](javascript:alert(1))";
        var published = await (await client.PostAsJsonAsync(articles, new { title = "Size <guide>", body, published = true })).ReadJsonAsync();
        var draft = await (await client.PostAsJsonAsync(articles, new { title = "Draft", body = "Not yet", published = false })).ReadJsonAsync();
        using var anonymous = App.CreateClient();

        var page = await anonymous.GetAsync($"/kb/{tenant.Id}/{published["id"]}");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var html = await page.Content.ReadAsStringAsync();
        html.Should().Contain("<strong>measure twice</strong>").And.Contain("href=\"https://example.com/sizes\"").And.Contain("Size &lt;guide&gt;");
        html.Should().NotContain("<script>").And.NotContain("javascript:");

        (await anonymous.GetAsync($"/kb/{tenant.Id}/{draft["id"]}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await anonymous.GetAsync($"/kb/{tenant.Id}/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}

public sealed class KnowledgeBaseApiTests_Sqlite(SqliteAppFixture fixture) : KnowledgeBaseApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class KnowledgeBaseApiTests_Postgres(PostgresAppFixture fixture) : KnowledgeBaseApiTests(fixture), IClassFixture<PostgresAppFixture>;
