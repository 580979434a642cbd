using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Switchboard.Common.Web;

/// <summary>
/// A request whose path is a route of this app, with a method that route does not take, is a 405 with
/// an <c>Allow</c> header. Routing answers 405 by itself, except where another endpoint takes the same
/// method on a wider pattern: the static-asset fallback <c>{**path:file}</c> takes every GET, fails its
/// constraint later, and the GET became a 404. Runs only when routing found no endpoint, so unknown
/// paths (and other tenants' ids, which match their route) keep their 404. The body is left to the
/// status-code pages (problem JSON, or the dashboard's page for a browser).
/// </summary>
internal sealed class MethodNotAllowed(RequestDelegate next, EndpointDataSource endpoints, IInlineConstraintResolver resolver)
{
    private readonly Lazy<Route[]> routes = new(() => RoutesOf(endpoints, resolver));

    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint() is not null)
        {
            return next(context);
        }

        var allowed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var route in routes.Value)
        {
            if (!allowed.IsSupersetOf(route.Methods) && route.Matches(context))
            {
                allowed.UnionWith(route.Methods);
            }
        }

        if (allowed.Count == 0 || allowed.Contains(context.Request.Method))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        context.Response.Headers.Allow = string.Join(", ", allowed);
        return Task.CompletedTask;
    }

    private static Route[] RoutesOf(EndpointDataSource endpoints, IInlineConstraintResolver resolver) =>
        [.. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 }
                && e.Metadata.GetMetadata<ComponentTypeMetadata>() is null
                && !e.RoutePattern.Parameters.Any(p => p.IsCatchAll))
            .Select(e => new Route(e.RoutePattern, e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods, resolver))];

    private sealed class Route
    {
        private readonly TemplateMatcher matcher;
        private readonly (string Name, IRouteConstraint Constraint)[] constraints;

        public Route(RoutePattern pattern, IReadOnlyList<string> methods, IInlineConstraintResolver resolver)
        {
            Methods = methods;
            matcher = new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults));
            constraints = [.. pattern.ParameterPolicies.SelectMany(p => p.Value.Select(policy =>
                (p.Key, policy.ParameterPolicy as IRouteConstraint ?? resolver.ResolveConstraint(policy.Content!)!)))
                .Where(c => c.Item2 is not null)];
        }

        public IReadOnlyList<string> Methods { get; }

        public bool Matches(HttpContext context)
        {
            var values = new RouteValueDictionary();
            return matcher.TryMatch(context.Request.Path, values)
                && constraints.All(c => c.Constraint.Match(context, null, c.Name, values, RouteDirection.IncomingRequest));
        }
    }
}
