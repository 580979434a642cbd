using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Switchboard.Common.Web.OpenApi;

/// <summary>
/// Request bodies say "required" for what the server refuses to go without, and nothing else. The
/// framework lists every constructor parameter of a record as required, but the JSON binder fills a
/// missing one with its default; only <see cref="RequiredAttribute"/> (validation) or a JSON required
/// member is enforced. A required member also refuses null, so its schema drops "null".
/// </summary>
internal sealed class RequestRequirements(IOptions<HttpJsonOptions> json) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var seen = new HashSet<Type>();
        foreach (var api in ApiOperations.In(document, context))
        {
            foreach (var body in api.Description.ParameterDescriptions.Where(p => p.Source == BindingSource.Body))
            {
                Align(document, body.Type, seen);
            }
        }

        return Task.CompletedTask;
    }

    private void Align(OpenApiDocument document, Type type, HashSet<Type> seen)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (!seen.Add(type) || type == typeof(string) || type.IsPrimitive)
        {
            return;
        }

        var info = json.Value.SerializerOptions.GetTypeInfo(type);
        if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element)
        {
            Align(document, element, seen);
            return;
        }

        if (info.Kind != JsonTypeInfoKind.Object
            || document.Components?.Schemas?.TryGetValue(SchemaIds.NameOf(type), out var found) != true
            || found is not OpenApiSchema schema)
        {
            return;
        }

        var required = info.Properties.Where(Enforced).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        schema.Required = required;
        foreach (var property in info.Properties)
        {
            if (required.Contains(property.Name) && schema.Properties?.TryGetValue(property.Name, out var propertySchema) == true)
            {
                schema.Properties[property.Name] = NotNull(propertySchema);
            }

            Align(document, property.PropertyType, seen);
        }
    }

    private static bool Enforced(JsonPropertyInfo property) =>
        property.IsRequired
        || Has<RequiredAttribute>(property.AttributeProvider)
        || Has<RequiredAttribute>(property.AssociatedParameter?.AttributeProvider);

    private static bool Has<T>(ICustomAttributeProvider? provider)
        where T : Attribute =>
        provider?.IsDefined(typeof(T), inherit: true) == true;

    /// <summary>The schema without "null": <c>["null","string"]</c> → <c>"string"</c>, <c>oneOf[null, $ref]</c> → <c>$ref</c>.</summary>
    private static IOpenApiSchema NotNull(IOpenApiSchema schema)
    {
        if (schema is OpenApiSchema { OneOf: { Count: 2 } oneOf } && oneOf.Count(s => s.Type == JsonSchemaType.Null) == 1)
        {
            return oneOf.Single(s => s.Type != JsonSchemaType.Null);
        }

        if (schema is OpenApiSchema { Type: { } type } concrete && type.HasFlag(JsonSchemaType.Null) && type != JsonSchemaType.Null)
        {
            concrete.Type = type & ~JsonSchemaType.Null;
        }

        return schema;
    }
}
