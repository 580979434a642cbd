using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Switchboard.Common.Web.OpenApi;

/// <summary>
/// Declares how callers authenticate (ADR 0011) and which operations need it: a bearer key (the
/// operator key, a tenant's key or an API token) on every operation that requires authorization, or,
/// for reads, the dashboard's session cookie.
/// </summary>
internal sealed class SecurityRequirements : IOpenApiDocumentTransformer
{
    public const string Bearer = "bearer";
    public const string Session = "session";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The platform operator's key, a tenant's admin key, or an API token (Authorization: Bearer <key>). Which of them an operation accepts is its policy (docs/permissions.md).",
        };
        document.Components.SecuritySchemes[Session] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = "__Host-switchboard",
            Description = "The dashboard's session cookie (named switchboard without HTTPS). Accepted on reads only; writes need a bearer key.",
        };

        foreach (var api in ApiOperations.In(document, context).Where(a => ProblemResponses.RequiresAuthorization(a.Metadata)))
        {
            api.Operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, document)] = [] }];
            if (api.Method == HttpMethod.Get)
            {
                api.Operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Session, document)] = [] });
            }
        }

        return Task.CompletedTask;
    }
}
