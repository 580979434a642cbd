namespace Switchboard.Common.Web.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>. What each endpoint's metadata already says (its
/// authorization, route parameters, body, rate limit) becomes the statuses, problem shapes and security
/// requirements of its operation, so a new endpoint is described truthfully without extra lines.
/// </summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddSwitchboardOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o =>
        {
            o.CreateSchemaReferenceId = SchemaIds.Of;
            o.AddDocumentTransformer<ResponseShapes>();
            o.AddDocumentTransformer<ProblemResponses>();
            o.AddDocumentTransformer<SecurityRequirements>();
            o.AddDocumentTransformer<RequestRequirements>();
        });
}
