using System.Collections.Concurrent;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;

namespace Switchboard.Common.Web.OpenApi;

/// <summary>
/// Schema component names from the full nested and generic type name (<c>AuditApi.Item</c> →
/// <c>AuditApiItem</c>, <c>Page&lt;Quarantine.Item&gt;</c> → <c>PageOfQuarantineItem</c>), so two types
/// never share one component. A second type that would take a name already given fails the document.
/// </summary>
internal static class SchemaIds
{
    private static readonly ConcurrentDictionary<string, Type> Given = new(StringComparer.Ordinal);

    public static string? Of(JsonTypeInfo type)
    {
        if (OpenApiOptions.CreateDefaultSchemaReferenceId(type) is null)
        {
            return null;
        }

        var id = NameOf(type.Type);
        var owner = Given.GetOrAdd(id, type.Type);
        return owner == type.Type
            ? id
            : throw new InvalidOperationException($"The schema name {id} is taken by {owner.FullName} and {type.Type.FullName}.");
    }

    public static string NameOf(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return NameOf(underlying);
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        if (type.IsGenericType)
        {
            name += "Of" + string.Join("And", type.GetGenericArguments().Select(NameOf));
        }

        return type.DeclaringType is { } outer && !type.IsGenericParameter ? NameOf(outer) + name : name;
    }
}
