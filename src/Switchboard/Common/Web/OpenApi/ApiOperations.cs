using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Switchboard.Common.Web.OpenApi;

/// <summary>One operation of the document with the endpoint it describes.</summary>
internal sealed record ApiOperation(string Path, HttpMethod Method, OpenApiOperation Operation, ApiDescription Description)
{
    public EndpointMetadataCollection Metadata { get; } = new(Description.ActionDescriptor.EndpointMetadata);

    public bool Has(BindingSource source) => Description.ParameterDescriptions.Any(p => p.Source == source);
}

internal static partial class ApiOperations
{
    public static IEnumerable<ApiOperation> In(OpenApiDocument document, OpenApiDocumentTransformerContext context)
    {
        foreach (var description in context.DescriptionGroups.SelectMany(g => g.Items))
        {
            var path = "/" + Constraint().Replace(description.RelativePath ?? "", "{$1}").TrimEnd('/');
            if (description.HttpMethod is not { } method
                || document.Paths?.TryGetValue(path, out var item) != true
                || item?.Operations?.TryGetValue(new HttpMethod(method), out var operation) != true
                || operation is null)
            {
                continue;
            }

            yield return new ApiOperation(path, new HttpMethod(method), operation, description);
        }
    }

    /// <summary>The reference to a component schema, adding it from the type when the document lacks it.</summary>
    public static async Task<IOpenApiSchema> SchemaOfAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, Type type, CancellationToken ct)
    {
        var id = SchemaIds.NameOf(type);
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!document.Components.Schemas.ContainsKey(id))
        {
            document.Components.Schemas[id] = await context.GetOrCreateSchemaAsync(type, null, ct);
        }

        return new OpenApiSchemaReference(id, document);
    }

    [GeneratedRegex(@"\{([^}:=?]+)[^}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex Constraint();
}
