using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchboard.Tests.OpenApi;

/// <summary>A request made from an operation's declaration: its URL, query, JSON body (or raw text) and caller.</summary>
internal sealed record ContractRequest(ContractOperation Operation, string Url, string? Body, string Caller, string Mutation)
{
    public string Describe() => $"{Operation.Method} {Url} as {Caller}{(Mutation.Length > 0 ? $" [{Mutation}]" : "")}{(Body is null ? "" : " body " + (Body.Length > 300 ? Body[..300] + "…" : Body))}";
}

/// <summary>
/// Makes requests for an operation from its declared parameters and body schema, with a seeded random
/// source: values the schema allows (preferring real resource ids and a few known good values), and
/// single violations of it (a wrong type, a missing required member, an unknown enum value, too long,
/// off its pattern, out of range, not JSON, a malformed query value).
/// </summary>
internal sealed class RequestFactory(ApiContract contract, Random random, IReadOnlyDictionary<string, string> ids, IReadOnlyDictionary<string, string> victims)
{
    /// <summary>Values the server accepts for members named so, to get past validation now and then.</summary>
    private static readonly Dictionary<string, Func<JsonNode?>> Hints = new(StringComparer.Ordinal)
    {
        ["type"] = () => "text",
        ["text"] = () => "Hello from the contract test",
        ["role"] = () => "agent",
        ["email"] = () => $"person-{Guid.NewGuid():N}@example.test",
        ["scopes"] = () => new JsonArray("conversations:read"),
        ["phoneNumberId"] = () => Infrastructure.Builders.NewPhoneNumberId(),
        ["wabaId"] = () => "102290129340398",
        ["appId"] = () => "1234567890",
        ["displayPhoneNumber"] = () => "+1 555 078 3881",
        ["messagesPerSecond"] = () => 20,
        ["expiresAt"] = () => null,
        ["replyToMessageId"] = () => null,
        ["color"] = () => "#1f883d",
        ["shortcut"] = () => "s" + Guid.NewGuid().ToString("N")[..12],
        ["labels"] = () => new JsonArray("contract-label"),
    };

    public ContractRequest Valid(ContractOperation operation, string caller)
    {
        var body = operation.BodySchema is { } schema && (operation.BodyRequired || random.Next(4) > 0)
            ? ValueOf(schema, 0)?.ToJsonString() ?? "null"
            : null;
        return new ContractRequest(operation, Url(operation, Query(operation, null)), body, caller, "");
    }

    /// <summary>A request with one violation of the declaration, or null when the operation offers none to make.</summary>
    public ContractRequest? Invalid(ContractOperation operation, string caller)
    {
        var candidates = new List<Func<ContractRequest?>>();
        if (operation.BodySchema is { } schema)
        {
            candidates.Add(() => Invalid(operation, caller, "body is not JSON", "{\"unclosed\": "));
            candidates.Add(() => Invalid(operation, caller, "body is an array", "[]"));
            candidates.Add(() => BodyViolation(operation, schema, caller));
            candidates.Add(() => BodyViolation(operation, schema, caller));
            candidates.Add(() => BodyViolation(operation, schema, caller));
        }

        foreach (var parameter in operation.Parameters("query"))
        {
            candidates.Add(() => QueryViolation(operation, parameter, caller));
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        for (var attempt = 0; attempt < 8; attempt++)
        {
            if (candidates[random.Next(candidates.Count)]() is { } request)
            {
                return request;
            }
        }

        return null;
    }

    private ContractRequest Invalid(ContractOperation operation, string caller, string mutation, string body) =>
        new(operation, Url(operation, Query(operation, null)), body, caller, mutation);

    private ContractRequest? QueryViolation(ContractOperation operation, JsonObject parameter, string caller)
    {
        var name = (string)parameter["name"]!;
        var schema = (JsonObject)parameter["schema"]!;
        foreach (var bad in new[] { "not-a-number", "-1.5", "maybe", "9999999999999999999999", "", "x" })
        {
            if (!contract.ParameterConforms(schema, bad))
            {
                var query = Query(operation, name);
                query[name] = bad;
                return new ContractRequest(operation, Url(operation, query), BodyFor(operation), caller, $"query {name}={bad}");
            }
        }

        return null;
    }

    private ContractRequest? BodyViolation(ContractOperation operation, JsonObject schema, string caller)
    {
        var body = ValueOf(schema, 0);
        var target = contract.Resolve(schema);
        if (body is not JsonObject root || target["properties"] is not JsonObject properties || properties.Count == 0)
        {
            return null;
        }

        var required = (target["required"] as JsonArray ?? []).Select(r => (string)r!).ToList();
        var pick = properties.ElementAt(random.Next(properties.Count));
        var missing = required.Count > 0 ? required[random.Next(required.Count)] : "";
        var propertySchema = contract.Resolve((JsonObject)pick.Value!);
        var (mutation, apply) = random.Next(6) switch
        {
            0 when required.Count > 0 => ($"missing {missing}", (Action)(() => root.Remove(missing))),
            1 when propertySchema["enum"] is not null => ($"{pick.Key} not in its enum", () => root[pick.Key] = "zz-not-a-value"),
            2 when propertySchema["maxLength"] is { } max && (int)max < 5000 => ($"{pick.Key} too long", () => root[pick.Key] = new string('a', (int)max + 1)),
            3 when propertySchema["pattern"] is not null => ($"{pick.Key} off its pattern", () => root[pick.Key] = "not ☃ matching"),
            4 when propertySchema["maximum"] is { } maximum => ($"{pick.Key} above its maximum", () => root[pick.Key] = (long)(double)maximum + 1),
            _ => ($"{pick.Key} of a wrong type", () => root[pick.Key] = WrongTypeFor(propertySchema)),
        };
        apply();
        var text = root.ToJsonString();
        return contract.Check(schema, JsonNode.Parse(text)).Count > 0
            ? new ContractRequest(operation, Url(operation, Query(operation, null)), text, caller, mutation)
            : null;
    }

    private JsonNode? WrongTypeFor(JsonObject schema)
    {
        var allowed = TypesOf(schema);
        JsonNode?[] options = [
            allowed.Contains("string") ? null : JsonValue.Create("wrong"),
            allowed.Contains("integer") || allowed.Contains("number") ? null : JsonValue.Create(12345),
            allowed.Contains("boolean") ? null : JsonValue.Create(true),
            allowed.Contains("object") ? null : new JsonObject { ["wrong"] = 1 },
            allowed.Contains("array") ? null : new JsonArray(1, 2),
        ];
        var wrong = options.Where(o => o is not null).ToList();
        return wrong.Count == 0 ? null : wrong[random.Next(wrong.Count)];
    }

    private string? BodyFor(ContractOperation operation) =>
        operation.BodySchema is { } schema ? ValueOf(schema, 0)?.ToJsonString() ?? "null" : null;

    private Dictionary<string, string> Query(ContractOperation operation, string? always)
    {
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var parameter in operation.Parameters("query"))
        {
            var name = (string)parameter["name"]!;
            if (name == always || (bool?)parameter["required"] == true || random.Next(3) == 0)
            {
                var value = ValueOf((JsonObject)parameter["schema"]!, 0);
                if (value is JsonValue v)
                {
                    query[name] = v.TryGetValue<bool>(out var b) ? (b ? "true" : "false") : v.ToString();
                }
            }
        }

        return query;
    }

    private string Url(ContractOperation operation, Dictionary<string, string> query)
    {
        var lastParameter = Regex.Matches(operation.Path, @"\{(\w+)\}").LastOrDefault()?.Groups[1].Value;
        var path = Regex.Replace(operation.Path, @"\{(\w+)\}", m =>
        {
            var name = m.Groups[1].Value;

            // A delete takes a resource kept for it, so that the rest of the run keeps its tenant, key and ids.
            var value = operation.Method == "DELETE" && name == lastParameter && victims.TryGetValue(name, out var victim) ? victim
                : random.Next(8) == 0 ? Guid.NewGuid().ToString()
                : ids.TryGetValue(name, out var id) ? id
                : Guid.NewGuid().ToString();
            return Uri.EscapeDataString(value);
        });
        return query.Count == 0 ? path : path + "?" + string.Join('&', query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
    }

    /// <summary>A value that conforms to <paramref name="schema"/> (or comes close: a pattern is met by a known value only).</summary>
    private JsonNode? ValueOf(JsonObject schema, int depth, string? name = null)
    {
        if (name is not null && Hints.TryGetValue(name, out var hint) && random.Next(4) > 0)
        {
            return hint();
        }

        if (schema["$ref"] is not null)
        {
            return ValueOf(contract.Resolve(schema), depth, name);
        }

        if ((schema["anyOf"] ?? schema["oneOf"]) is JsonArray choices)
        {
            var concrete = choices.OfType<JsonObject>().Where(c => (string?)c["type"] != "null").ToList();
            return concrete.Count == 0 || random.Next(6) == 0 ? null : ValueOf(concrete[random.Next(concrete.Count)], depth, name);
        }

        if (schema["enum"] is JsonArray values)
        {
            return values[random.Next(values.Count)]?.DeepClone();
        }

        var types = TypesOf(schema);
        if (types.Contains("null") && (types.Count == 1 || random.Next(6) == 0))
        {
            return null;
        }

        types.Remove("null");
        var type = types.Contains("integer") ? "integer" : types.Count == 0 ? "object" : types[random.Next(types.Count)];
        switch (type)
        {
            case "integer":
            case "number":
                var min = (long?)(double?)schema["minimum"] ?? 1;
                var max = (long?)(double?)schema["maximum"] ?? Math.Max(min + 100, 100);
                return random.NextInt64(min, max + 1);
            case "boolean":
                return random.Next(2) == 0;
            case "array":
                var array = new JsonArray();
                if (depth < 3 && schema["items"] is JsonObject items)
                {
                    for (var i = random.Next(3); i > 0; i--)
                    {
                        array.Add(ValueOf(items, depth + 1));
                    }
                }

                return array;
            case "string":
                return StringFor(schema, name);
            default:
                var o = new JsonObject();
                if (depth >= 4 || schema["properties"] is not JsonObject properties)
                {
                    return o;
                }

                var required = (schema["required"] as JsonArray ?? []).Select(r => (string)r!).ToHashSet();
                foreach (var (property, propertySchema) in properties)
                {
                    if (required.Contains(property) || random.Next(2) == 0)
                    {
                        o[property] = ValueOf((JsonObject)propertySchema!, depth + 1, property);
                    }
                }

                return o;
        }
    }

    private string StringFor(JsonObject schema, string? name)
    {
        switch ((string?)schema["format"])
        {
            case "uuid":
                return name is not null && ids.TryGetValue(name, out var id) && random.Next(3) > 0 ? id : Guid.NewGuid().ToString();
            case "date-time":
                return DateTimeOffset.UtcNow.AddDays(random.Next(-5, 30)).ToString("O", CultureInfo.InvariantCulture);
        }

        if (schema["pattern"] is { } pattern)
        {
            var regex = new Regex((string)pattern!, RegexOptions.None, TimeSpan.FromSeconds(1));
            foreach (var candidate in new[] { random.NextInt64(1, 999_999_999).ToString(CultureInfo.InvariantCulture), "+1 555 078 3881", "abc", "2026-11-27T09:00:00Z", "token.created" })
            {
                if (regex.IsMatch(candidate))
                {
                    return candidate;
                }
            }
        }

        var minLength = (int?)schema["minLength"] ?? 0;
        var maxLength = (int?)schema["maxLength"] ?? 24;
        var length = random.Next(Math.Max(minLength, 1), Math.Max(Math.Min(maxLength, minLength + 24), 1) + 1);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_.";
        return new string([.. Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)])]).Trim() is { Length: > 0 } text && text.Length >= minLength ? text : new string('a', Math.Max(minLength, 1));
    }

    private static List<string> TypesOf(JsonObject schema) => schema["type"] switch
    {
        JsonArray many => [.. many.Select(t => (string)t!)],
        JsonValue one => [(string)one!],
        _ => [],
    };
}
