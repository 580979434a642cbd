namespace Switchboard.Features.Flows;

/// <summary>Field errors collected while a flow is checked, named after the document (<c>nodes[2].text</c>).</summary>
internal sealed class FlowFieldErrors
{
    private readonly Dictionary<string, List<string>> errors = new(StringComparer.Ordinal);

    public int Count => errors.Count;

    public Dictionary<string, string[]> Result => errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    public void Text(string field, string? value, int min, int max, bool required = true)
    {
        var length = value?.Length ?? 0;
        if ((value is null && required) || (value is not null && (length < min || length > max)))
        {
            Add(field, min > 0 ? $"Required, {min} to {max} characters." : $"At most {max} characters.");
        }
    }
}
