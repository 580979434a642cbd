using System.Net;
using Switchboard.Common.Security;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>
/// docs/permissions.md against the code: the role table against <see cref="Permissions"/>, the endpoint
/// table against the policies actually attached; and every tenant route answers 403 to a token lacking
/// its permission and lets a token holding only that permission through.
/// </summary>
public abstract class PermissionMatrixTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    [Fact]
    public void The_role_table_in_the_docs_is_the_role_matrix_of_the_code()
    {
        var table = PermissionsDoc.Table("## Roles");
        table.Header.Should().Equal("permission", "agent", "manager", "admin");

        table.Rows.Select(r => Unquote(r[0])).Should().Equal(Permissions.All, "the docs list every permission once, in the code's order");
        foreach (var role in new[] { TenantRole.Agent, TenantRole.Manager, TenantRole.Admin })
        {
            var column = Array.IndexOf(table.Header, Permissions.RoleName(role));
            var documented = table.Rows.Where(r => r[column] == "✓").Select(r => Unquote(r[0]));
            documented.Should().BeEquivalentTo(Permissions.Of(role), $"the docs' {Permissions.RoleName(role)} column");
            table.Rows.Should().OnlyContain(r => r[column] == "✓" || r[column] == "", "a cell is ✓ or empty");
        }
    }

    [Fact]
    public void Every_tenant_scoped_endpoint_has_exactly_one_tenant_policy()
    {
        var endpoints = EndpointCatalog.All(App);
        endpoints.Where(e => e.NamesTenant && e.Kind is EndpointKind.Unclassified or EndpointKind.Dashboard)
            .Select(e => $"{e.Name}: {e.Problem}")
            .Should().BeEmpty("a route naming a tenant must carry exactly one tenant:<permission> or tenant-or-operator:<permission> policy");
        endpoints.Where(e => e.NamesTenant && e.Kind == EndpointKind.Operator).Select(e => e.Name)
            .Should().Equal(["DELETE /api/v1/tenants/{tenantId}"], "erasing a tenant is the one operator-only route that names a tenant (a tenant key gets 403 there before any lookup)");
        endpoints.Where(e => e.NamesTenant && e.Kind == EndpointKind.Anonymous).Select(e => e.Route).Distinct()
            .Should().Equal(["/kb/{tenantId}/{articleId}", "/webhooks/whatsapp/{tenantId}"], "only Meta's webhook (authenticated by its signature) and a published article's public page (ADR 0034) name a tenant without a caller identity");
        endpoints.Where(e => e.Kind == EndpointKind.Tenant).Select(e => e.Permission)
            .Should().OnlyContain(p => Permissions.IsKnown(p), "a tenant policy names a known permission");
        EndpointCatalog.TenantScoped(App).Should().HaveCountGreaterThan(30, "the enumeration sees the tenant API");
    }

    [Fact]
    public void The_endpoint_table_in_the_docs_lists_every_api_endpoint_with_its_permission_and_policy()
    {
        var table = PermissionsDoc.Table("## Endpoints");
        table.Header.Should().Equal("method", "route", "permission", "policy", "operator");
        var documented = table.Rows.Select(r => $"{r[0]} {Unquote(r[1])} | {Unquote(r[2])} | {r[3]} | {r[4]}").ToList();
        documented.Should().OnlyHaveUniqueItems();

        var endpoints = EndpointCatalog.All(App);
        endpoints.Where(e => e.Kind == EndpointKind.Unclassified).Select(e => $"{e.Name}: {e.Problem}").Should().BeEmpty();
        var mapped = endpoints.Where(e => e.Kind != EndpointKind.Dashboard).Select(e =>
        {
            var permission = e.Kind == EndpointKind.Tenant ? e.Permission : "—";
            var operatorMay = e.PolicyKind switch { "member-or-operator" => "yes", "member" => "no", "operator" => "only", _ => "—" };
            return $"{e.Method} {e.Route} | {permission} | {e.PolicyKind} | {operatorMay}";
        }).ToList();

        documented.Should().BeEquivalentTo(mapped, "docs/permissions.md must list exactly the mapped endpoints, each with the permission and policy the code attaches");
    }

    [Fact]
    public async Task Every_tenant_route_refuses_a_token_without_its_permission_and_admits_one_with_only_that_permission()
    {
        var tenant = await App.CreateTenantAsync();
        var user = await App.CreateUserAsync(tenant, "admin");
        var tokens = new Dictionary<(string Permission, bool Only, bool Personal), string>();
        var values = new Dictionary<string, string>
        {
            ["tenantId"] = tenant.Id.ToString(),
            ["channelId"] = Guid.NewGuid().ToString(),
            ["conversationId"] = Guid.NewGuid().ToString(),
            ["messageId"] = Guid.NewGuid().ToString(),
            ["contactId"] = Guid.NewGuid().ToString(),
            ["mediaId"] = Guid.NewGuid().ToString(),
            ["tokenId"] = Guid.NewGuid().ToString(),
            ["inviteId"] = Guid.NewGuid().ToString(),
            ["teamId"] = Guid.NewGuid().ToString(),
            ["userId"] = Guid.NewGuid().ToString(),
            ["exportId"] = Guid.NewGuid().ToString(),
            ["archiveId"] = Guid.NewGuid().ToString(),
            ["requestId"] = Guid.NewGuid().ToString(),
            ["entryId"] = Guid.NewGuid().ToString(),
            ["labelId"] = Guid.NewGuid().ToString(),
            ["cannedResponseId"] = Guid.NewGuid().ToString(),
            ["calendarId"] = Guid.NewGuid().ToString(),
            ["policyId"] = Guid.NewGuid().ToString(),
            ["ruleId"] = Guid.NewGuid().ToString(),
            ["flowId"] = Guid.NewGuid().ToString(),
            ["articleId"] = Guid.NewGuid().ToString(),
            ["version"] = "1",
            ["key"] = "k" + Guid.NewGuid().ToString("N")[..8],
        };

        // /me routes act on the caller's own personal tokens, and deleting the tenant needs a person who re-authenticates,
        // so they are called with a user's personal token.
        async Task<string> TokenAsync(string permission, bool only, bool personal)
        {
            if (!tokens.TryGetValue((permission, only, personal), out var token))
            {
                var scopes = only ? [permission] : Permissions.All.Where(p => p != permission).ToArray();
                token = personal ? await App.PersonalTokenAsync(tenant.Id, user, scopes) : (await App.CreateTokenAsync(tenant, scopes)).Token;
                tokens[(permission, only, personal)] = token;
            }

            return token;
        }

        var failures = new List<string>();
        foreach (var endpoint in EndpointCatalog.TenantScoped(App))
        {
            var url = EndpointCatalog.Url(endpoint, values);
            var personal = endpoint.Route.Contains("/me/", StringComparison.Ordinal) || endpoint.Route.EndsWith("/deletion", StringComparison.Ordinal);

            using (var without = App.ClientWithKey(await TokenAsync(endpoint.Permission, only: false, personal)))
            {
                var status = await EndpointCatalog.StatusOfAsync(without, endpoint, url);
                if (status != HttpStatusCode.Forbidden)
                {
                    failures.Add($"{endpoint.Name} with every scope but {endpoint.Permission}: {(int)status}, expected 403");
                }
            }

            using (var with = App.ClientWithKey(await TokenAsync(endpoint.Permission, only: true, personal)))
            {
                var status = await EndpointCatalog.StatusOfAsync(with, endpoint, url);
                if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    failures.Add($"{endpoint.Name} with only {endpoint.Permission}: {(int)status}, expected authorization to pass");
                }
            }
        }

        failures.Should().BeEmpty();
    }

    private static string Unquote(string cell) => cell.Trim('`');
}

/// <summary>Reads the markdown tables of docs/permissions.md.</summary>
internal static class PermissionsDoc
{
    public sealed record MarkdownTable(string[] Header, IReadOnlyList<string[]> Rows);

    public static string Path
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                dir = dir.Parent;
            }

            return System.IO.Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Switchboard.slnx)."), "docs", "permissions.md");
        }
    }

    /// <summary>The first table after the heading line <paramref name="heading"/>.</summary>
    public static MarkdownTable Table(string heading)
    {
        var lines = File.ReadAllLines(Path);
        var start = Array.FindIndex(lines, l => l.Trim() == heading);
        start.Should().BeGreaterThanOrEqualTo(0, $"docs/permissions.md has a section '{heading}'");
        var table = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).Select(Cells).ToList();
        table.Should().HaveCountGreaterThan(2, $"the section '{heading}' holds a table");
        table[1].Should().OnlyContain(c => c.Trim('-', ':') == "", "the second line of a table is its separator");
        var rows = table.Skip(2).ToList();
        rows.Should().OnlyContain(r => r.Length == table[0].Length, $"every row of '{heading}' has {table[0].Length} cells");
        return new MarkdownTable(table[0], rows);
    }

    private static string[] Cells(string line) =>
        [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim())];
}

public sealed class PermissionMatrixTests_Sqlite(SqliteAppFixture fixture) : PermissionMatrixTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class PermissionMatrixTests_Postgres(PostgresAppFixture fixture) : PermissionMatrixTests(fixture), IClassFixture<PostgresAppFixture>;
