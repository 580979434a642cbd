using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Switchboard.Tests.OpenApi;

/// <summary>One operation of the served OpenAPI document.</summary>
internal sealed record ContractOperation(string Method, string Path, JsonObject Operation)
{
    public string Name => $"{Method} {Path}";

    public IEnumerable<JsonObject> Parameters(string location) =>
        (Operation["parameters"] as JsonArray ?? []).OfType<JsonObject>().Where(p => (string?)p["in"] == location);

    public JsonObject? BodySchema => Operation["requestBody"]?["content"]?["application/json"]?["schema"] as JsonObject;

    public bool BodyRequired => (bool?)Operation["requestBody"]?["required"] == true;

    public JsonObject Responses => Operation["responses"] as JsonObject ?? [];

    public bool Secured => Operation["security"] is JsonArray { Count: > 0 };
}

/// <summary>
/// The served OpenAPI document as a contract: its operations, and a JSON Schema (draft 2020-12) check of a
/// value against any schema in it, references resolved into the document's components.
/// </summary>
internal sealed class ApiContract
{
    private static readonly EvaluationOptions Options = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };
    private readonly JsonObject components;
    private readonly Dictionary<string, JsonSchema> compiled = new(StringComparer.Ordinal);

    public ApiContract(JsonObject document)
    {
        Document = document;
        components = (JsonObject)Rewrite(document["components"]?["schemas"]?.DeepClone() ?? new JsonObject())!;
        Operations = [.. ((JsonObject)document["paths"]!)
            .SelectMany(path => ((JsonObject)path.Value!)
                .Where(m => m.Value is JsonObject && m.Key is "get" or "post" or "put" or "patch" or "delete")
                .Select(m => new ContractOperation(m.Key.ToUpperInvariant(), path.Key, (JsonObject)m.Value!)))];
    }

    public JsonObject Document { get; }

    public IReadOnlyList<ContractOperation> Operations { get; }

    /// <summary>The schema itself when it is a reference to a component.</summary>
    public JsonObject Resolve(JsonObject schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? Resolve((JsonObject)Document["components"]!["schemas"]![reference.Split('/')[^1]]!)
            : schema;

    /// <summary>The errors of <paramref name="value"/> against <paramref name="schema"/>; empty when it conforms.</summary>
    public IReadOnlyList<string> Check(JsonObject schema, JsonNode? value)
    {
        var key = schema.ToJsonString();
        if (!compiled.TryGetValue(key, out var compiledSchema))
        {
            var root = (JsonObject)Rewrite(schema.DeepClone())!;
            root["$defs"] = components.DeepClone();
            compiledSchema = JsonSchema.FromText(root.ToJsonString());
            compiled[key] = compiledSchema;
        }

        var result = compiledSchema.Evaluate(value, Options);
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.HasErrors).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Distinct().Take(5)];
    }

    /// <summary>Whether a query or path parameter's text conforms: as a string, or as the number or boolean it spells.</summary>
    public bool ParameterConforms(JsonObject schema, string text)
    {
        JsonNode? typed = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
            : text is "true" or "false" ? JsonValue.Create(text == "true")
            : null;
        return Check(schema, JsonValue.Create(text)).Count == 0 || (typed is not null && Check(schema, typed).Count == 0);
    }

    public static JsonNode? ParseBody(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>OpenAPI's component references become references into <c>$defs</c>.</summary>
    private static JsonNode? Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, value) in o.ToList())
                {
                    if (name == "$ref" && value?.GetValue<string>() is { } reference)
                    {
                        o[name] = reference.Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
                    }
                    else
                    {
                        Rewrite(value);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Rewrite(item);
                }

                break;
        }

        return node;
    }
}
