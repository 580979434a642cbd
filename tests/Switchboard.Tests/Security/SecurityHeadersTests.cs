using System.Net;
using Microsoft.AspNetCore.Http;
using Switchboard.Common.Web;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

/// <summary>Every response carries the browser hardening headers; HTML and API responses get their own CSP.</summary>
public abstract class SecurityHeadersTests(AppFixture fixture)
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";

    private SwitchboardApp App => fixture.App;

    [Fact]
    public async Task Json_problem_and_health_responses_carry_the_headers_and_the_locked_down_policy()
    {
        var tenant = await App.CreateTenantAsync();
        using var client = App.ClientWithKey(tenant.ApiKey);

        var responses = new[]
        {
            await client.GetAsync($"/api/v1/tenants/{tenant.Id}/channels"),
            await App.CreateClient().GetAsync($"/api/v1/tenants/{tenant.Id}/channels"),
            await client.GetAsync($"/api/v1/tenants/{Guid.CreateVersion7()}/channels"),
            await App.CreateClient().GetAsync("/health/live"),
        };

        responses.Select(r => r.StatusCode).Should().Equal(HttpStatusCode.OK, HttpStatusCode.Unauthorized, HttpStatusCode.NotFound, HttpStatusCode.OK);
        foreach (var response in responses)
        {
            Header(response, "X-Content-Type-Options").Should().Be("nosniff");
            Header(response, "Referrer-Policy").Should().Be("no-referrer");
            Header(response, "X-Frame-Options").Should().Be("DENY");
            Header(response, "Cross-Origin-Opener-Policy").Should().Be("same-origin");
            Header(response, "Content-Security-Policy").Should().Be(ApiPolicy);
            response.Headers.Contains("Strict-Transport-Security").Should().BeFalse("HSTS is off in the Testing environment");
        }
    }

    [Fact]
    public async Task A_webhook_acknowledgement_carries_the_headers()
    {
        var tenant = await App.CreateTenantAsync();
        var phone = Builders.NewPhoneNumberId();
        await App.CreateChannelAsync(tenant, Builders.ChannelRequest(phone));

        var response = await App.PostSignedAsync(tenant.Id, WebhookPayloads.Messages(phone, WebhookPayloads.Text("hello")));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        Header(response, "X-Content-Type-Options").Should().Be("nosniff");
        Header(response, "Content-Security-Policy").Should().Be(ApiPolicy);
    }

    [Theory]
    [InlineData("/", "text/html; charset=utf-8", "script-src 'self';")]
    [InlineData("/account/login", "text/html", "script-src 'self';")]
    [InlineData("/simulator/", "text/html; charset=utf-8", "script-src 'self' 'unsafe-inline';")]
    [InlineData("/api/v1/tenants", "application/json", "default-src 'none';")]
    public async Task Html_gets_the_dashboard_policy_and_only_the_simulator_page_may_run_inline_script(string path, string contentType, string expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.ContentType = contentType;

        await SecurityHeaders.Apply(context);

        var policy = context.Response.Headers.ContentSecurityPolicy.ToString();
        policy.Should().Contain(expected).And.Contain("frame-ancestors 'none'");
        if (contentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            policy.Should().Contain("object-src 'none'").And.Contain("base-uri 'self'").And.Contain("form-action 'self'");
        }

        if (path == "/")
        {
            policy.Should().Be("default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'");
        }
    }

    [Fact]
    public async Task A_response_that_sets_its_own_policy_keeps_it()
    {
        var context = new DefaultHttpContext();
        context.Response.ContentType = "text/html";
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";

        await SecurityHeaders.Apply(context);

        context.Response.Headers.ContentSecurityPolicy.ToString().Should().Be("default-src 'none'; sandbox");
        context.Response.Headers.XFrameOptions.ToString().Should().Be("DENY");
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : "(missing)";
}

public sealed class SecurityHeadersTests_Sqlite(SqliteAppFixture fixture) : SecurityHeadersTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SecurityHeadersTests_Postgres(PostgresAppFixture fixture) : SecurityHeadersTests(fixture), IClassFixture<PostgresAppFixture>;
