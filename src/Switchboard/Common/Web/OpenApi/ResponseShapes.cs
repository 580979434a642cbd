using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Switchboard.Common.Web.OpenApi;

/// <summary>
/// An endpoint that answers one status with either of two bodies (<c>Results&lt;Ok&lt;A&gt;, Ok&lt;B&gt;&gt;</c>)
/// is described by the framework with the last one only; the document says "any of them".
/// </summary>
internal sealed class ResponseShapes : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var api in ApiOperations.In(document, context))
        {
            var shapes = api.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>()
                .Where(m => m.Type is not null && m.Type != typeof(void))
                .GroupBy(m => m.StatusCode)
                .Where(g => g.Select(m => m.Type).Distinct().Count() > 1);
            foreach (var shape in shapes)
            {
                if (api.Operation.Responses?.TryGetValue(shape.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) != true
                    || response?.Content is null)
                {
                    continue;
                }

                var anyOf = new List<IOpenApiSchema>();
                foreach (var type in shape.Select(m => m.Type!).Distinct())
                {
                    anyOf.Add(await ApiOperations.SchemaOfAsync(document, context, type, cancellationToken));
                }

                foreach (var media in response.Content.Values)
                {
                    media.Schema = new OpenApiSchema { AnyOf = anyOf };
                }
            }
        }
    }
}
