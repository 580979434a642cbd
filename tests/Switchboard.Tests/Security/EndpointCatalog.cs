using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Security;

internal enum EndpointKind
{
    /// <summary>Names a tenant in the route and carries exactly one tenant policy.</summary>
    Tenant,

    /// <summary>Policy <c>operator</c> only.</summary>
    Operator,

    /// <summary>Anonymous by design (allow-list).</summary>
    Anonymous,

    /// <summary>Blazor pages and endpoints, static assets, the demo simulator: not part of the API.</summary>
    Dashboard,

    /// <summary>None of the above: a test must fail naming the route.</summary>
    Unclassified,
}

/// <summary>One mapped endpoint as the security tests see it.</summary>
internal sealed record ApiEndpoint(string Method, string RawPattern, string Route, IReadOnlyList<string?> Policies, bool AllowsAnonymous, EndpointKind Kind, string? Problem)
{
    public const string MemberPrefix = "tenant:";
    public const string MemberOrOperatorPrefix = "tenant-or-operator:";

    public string Name => $"{Method} {Route}";

    public bool NamesTenant => Route.Contains("{tenantId}", StringComparison.Ordinal);

    public string? TenantPolicy => Policies.SingleOrDefault(p => p is not null && (p.StartsWith(MemberPrefix, StringComparison.Ordinal) || p.StartsWith(MemberOrOperatorPrefix, StringComparison.Ordinal)));

    /// <summary>The permission the tenant policy names.</summary>
    public string Permission => TenantPolicy is { } p
        ? p.StartsWith(MemberOrOperatorPrefix, StringComparison.Ordinal) ? p[MemberOrOperatorPrefix.Length..] : p[MemberPrefix.Length..]
        : throw new InvalidOperationException($"{Name} has no tenant policy.");

    /// <summary>The policy column of docs/permissions.md.</summary>
    public string PolicyKind => Kind switch
    {
        EndpointKind.Tenant when TenantPolicy!.StartsWith(MemberOrOperatorPrefix, StringComparison.Ordinal) => "member-or-operator",
        EndpointKind.Tenant => "member",
        EndpointKind.Operator => "operator",
        EndpointKind.Anonymous => "anonymous",
        _ => "?",
    };

    public bool HasBody => Method is "POST" or "PUT" or "PATCH";
}

/// <summary>Every endpoint the app maps, classified; and URLs built from route patterns.</summary>
internal static partial class EndpointCatalog
{
    /// <summary>
    /// Routes that take no caller identity on purpose. Webhooks are authenticated by Meta's signature
    /// (and the verify token), the invite code is the credential of the accept call, the rest is public.
    /// </summary>
    private static readonly string[] AnonymousByDesign =
    [
        "/health/", "/webhooks/whatsapp", "/openapi/", "/api/v1/invites/accept", "/account/logout", "/kb/",
    ];

    public static IReadOnlyList<ApiEndpoint> All(SwitchboardApp app) =>
        [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(Describe)
            .OrderBy(e => e.Route, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)];

    public static IReadOnlyList<ApiEndpoint> TenantScoped(SwitchboardApp app) =>
        [.. All(app).Where(e => e.Kind == EndpointKind.Tenant)];

    /// <summary>The route with constraints and a trailing slash removed: <c>/api/v1/tenants/{tenantId}/channels</c>.</summary>
    public static string Normalize(string pattern)
    {
        var route = Constraint().Replace(pattern, "{$1}");
        route = route.Length > 1 ? route.TrimEnd('/') : route;
        return route.StartsWith('/') ? route : "/" + route;
    }

    /// <summary>
    /// The URL for a route, each parameter from <paramref name="values"/>. A parameter without a value
    /// fails with the route's name, so a new route only needs a new entry there.
    /// </summary>
    public static string Url(ApiEndpoint endpoint, IReadOnlyDictionary<string, string> values) =>
        Parameter().Replace(endpoint.Route, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? Uri.EscapeDataString(value)
            : throw new InvalidOperationException(
                $"{endpoint.Name}: no value for route parameter {{{m.Groups[1].Value}}}. Add a resolver for it to the security tests (IsolationSuiteTests.ResourcesOfAsync and PermissionMatrixTests.RandomValues)."));

    public static HttpRequestMessage Request(ApiEndpoint endpoint, string url)
    {
        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), url);
        if (endpoint.HasBody)
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        return request;
    }

    /// <summary>Sends the request and reads only the status (an event stream would never end).</summary>
    public static async Task<System.Net.HttpStatusCode> StatusOfAsync(HttpClient client, ApiEndpoint endpoint, string url)
    {
        using var request = Request(endpoint, url);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return response.StatusCode;
    }

    private static IEnumerable<ApiEndpoint> Describe(RouteEndpoint endpoint)
    {
        var raw = endpoint.RoutePattern.RawText ?? "";
        var route = Normalize(raw);
        var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).ToList();
        var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;

        // Endpoints without method metadata (health checks) answer every method; the docs list them by GET.
        var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
        var (kind, problem) = Classify(endpoint, route, policies, anonymous);
        return methods.Where(m => m != "HEAD").Select(m => new ApiEndpoint(m, raw, route, policies, anonymous, kind, problem));
    }

    private static (EndpointKind Kind, string? Problem) Classify(RouteEndpoint endpoint, string route, List<string?> policies, bool anonymous)
    {
        var m = endpoint.Metadata;
        if (m.GetMetadata<ComponentTypeMetadata>() is not null
            || m.GetMetadata<StaticAssetDescriptor>() is not null
            || m.GetMetadata<HttpConnectionDispatcherOptions>() is not null
            || route.StartsWith("/_blazor", StringComparison.Ordinal)
            || route.StartsWith("/_framework/", StringComparison.Ordinal)
            || route.StartsWith("/simulator", StringComparison.Ordinal)
            || (endpoint.RoutePattern.RawText == "{**path:file}" && endpoint.Order == int.MaxValue))
        {
            return route.Contains("{tenantId}", StringComparison.Ordinal)
                ? (EndpointKind.Unclassified, "a dashboard or static route must not name a tenant")
                : (EndpointKind.Dashboard, null);
        }

        if (AnonymousByDesign.Any(prefix => route.StartsWith(prefix, StringComparison.Ordinal) || route == prefix.TrimEnd('/')))
        {
            return policies.Count == 0 || anonymous
                ? (EndpointKind.Anonymous, null)
                : (EndpointKind.Unclassified, "an allow-listed anonymous route carries a policy");
        }

        var tenantPolicies = policies.Count(p => p is not null && (p.StartsWith(ApiEndpoint.MemberPrefix, StringComparison.Ordinal) || p.StartsWith(ApiEndpoint.MemberOrOperatorPrefix, StringComparison.Ordinal)));
        if (anonymous)
        {
            return (EndpointKind.Unclassified, "allows anonymous callers but is not in the allow-list");
        }

        if (policies.Count == 1 && policies[0] == "operator")
        {
            return (EndpointKind.Operator, null);
        }

        if (!route.Contains("{tenantId}", StringComparison.Ordinal))
        {
            return (EndpointKind.Unclassified, tenantPolicies > 0
                ? "a tenant policy on a route without {tenantId} denies every caller"
                : $"neither anonymous by design, operator-only nor tenant-scoped (policies: {string.Join(", ", policies.Select(p => p ?? "(default)"))})");
        }

        return tenantPolicies == 1 && policies.Count == 1
            ? (EndpointKind.Tenant, null)
            : (EndpointKind.Unclassified, $"a tenant-scoped route needs exactly one tenant policy, has: [{string.Join(", ", policies.Select(p => p ?? "(default)"))}]");
    }

    [GeneratedRegex(@"\{\**([A-Za-z][A-Za-z0-9]*)(:[^}]*)?\}")]
    private static partial Regex Constraint();

    [GeneratedRegex(@"\{([A-Za-z][A-Za-z0-9]*)\}")]
    private static partial Regex Parameter();
}
