using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Switchboard.Common.Web;

internal sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>Keyset paging: the cursor is the opaque encoding of the last key seen.</summary>
internal static class Paging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public const string LimitError = "A whole number from 1 to 200.";

    private static readonly ConcurrentDictionary<MethodInfo, bool> ListHandlers = new();

    /// <summary>The requested page size; out-of-range values never get here from HTTP (<see cref="UsePagingLimits"/>).</summary>
    public static int Limit(int? requested) => Math.Clamp(requested ?? DefaultLimit, 1, MaxLimit);

    /// <summary>
    /// <c>limit</c> on every list endpoint (a GET whose handler takes a <c>limit</c> or answers
    /// <c>items</c>) is a whole number from 1 to <see cref="MaxLimit"/>; anything else is a 400 validation
    /// problem naming the field, never silently clamped. After authorization, so a stranger still gets
    /// 401 and another tenant's id 404.
    /// </summary>
    public static IApplicationBuilder UsePagingLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            && context.Request.Query.TryGetValue("limit", out var limit)
            && !IsValidLimit(limit)
            && context.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>() is { } handler
            && ListHandlers.GetOrAdd(handler, IsListHandler))
        {
            await Problems.Validation("limit", LimitError).ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>Absent or empty (the default page), or exactly one whole number from 1 to <see cref="MaxLimit"/>.</summary>
    internal static bool IsValidLimit(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 0
        || (values.Count == 1 && (string.IsNullOrEmpty(values[0])
            || (int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit)));

    private static bool IsListHandler(MethodInfo handler) =>
        handler.GetParameters().Any(p => string.Equals(p.Name, "limit", StringComparison.OrdinalIgnoreCase))
        || AnswersItems(handler.ReturnType, depth: 0);

    /// <summary>Task&lt;Results&lt;Ok&lt;Page&lt;T&gt;&gt;, …&gt;&gt; and the like: some type in the result has an <c>Items</c> collection.</summary>
    private static bool AnswersItems(Type type, int depth) =>
        depth < 5
        && (type.GetProperty("Items", BindingFlags.Public | BindingFlags.Instance) is { } items
                && items.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(items.PropertyType)
            || (type.IsGenericType && type.GetGenericArguments().Any(t => AnswersItems(t, depth + 1))));

    public static Page<T> PageOf<T>(List<T> fetched, int limit, Func<T, Guid> key)
    {
        if (fetched.Count <= limit)
        {
            return new Page<T>(fetched, null);
        }

        fetched.RemoveAt(fetched.Count - 1);
        return new Page<T>(fetched, Encode(key(fetched[^1]).ToString()));
    }

    public static string Encode(string value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var padded = cursor.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(padded));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static Guid? DecodeGuid(string? cursor) => Guid.TryParse(Decode(cursor), out var id) ? id : null;
}
