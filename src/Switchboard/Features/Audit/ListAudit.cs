using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using static Switchboard.Features.Audit.AuditApi;

namespace Switchboard.Features.Audit;

/// <summary>Lists an audit chain: newest first, keyset paging by sequence, filters by action, actor and time.</summary>
internal static partial class ListAudit
{
    public static Task<Results<Ok<Page<Item>>, ValidationProblem>> ListForTenantAsync(
        Guid tenantId, SwitchboardDbContext db, string? action, string? actor, string? from, string? to, string? cursor, string? limit, CancellationToken ct) =>
        OverHttpAsync(db, tenantId, action, actor, from, to, cursor, limit, ct);

    public static Task<Results<Ok<Page<Item>>, ValidationProblem>> ListForPlatformAsync(
        SwitchboardDbContext db, string? action, string? actor, string? from, string? to, string? cursor, string? limit, CancellationToken ct) =>
        OverHttpAsync(db, AuditLog.PlatformChain, action, actor, from, to, cursor, limit, ct);

    private static async Task<Results<Ok<Page<Item>>, ValidationProblem>> OverHttpAsync(
        SwitchboardDbContext db, Guid chain, string? action, string? actor, string? from, string? to, string? cursor, string? limit, CancellationToken ct)
    {
        var outcome = await ListAsync(db, chain, action, actor, from, to, cursor, limit, ct);
        return outcome is { Value: { } page } ? TypedResults.Ok(page) : outcome.Failure!.ToValidationProblem();
    }

    /// <summary>One page of a chain (a tenant's id, or <see cref="AuditLog.PlatformChain"/>); invalid filters fail as <see cref="FailureKind.Invalid"/>.</summary>
    public static async Task<Outcome<Page<Item>>> ListAsync(
        SwitchboardDbContext db, Guid chain, string? action, string? actor, string? from, string? to, string? cursor, string? limit, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var take = Paging.DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > Paging.MaxLimit))
        {
            errors["limit"] = [$"A whole number from 1 to {Paging.MaxLimit}."];
        }

        if (action is not null && (action.Length > 64 || !ActionPattern().IsMatch(action)))
        {
            errors["action"] = ["An action name such as token.created, or a prefix ending in a dot such as login."];
        }

        string? actorId = null;
        if (actor is not null && (actorId = NormalizeActor(actor)) is null)
        {
            errors["actor"] = ["One of operator, system, user:<id> or token:<id>."];
        }

        var fromAt = ParseTime(from, "from", errors);
        var toAt = ParseTime(to, "to", errors);
        if (fromAt is { } f && toAt is { } t && f > t)
        {
            errors["to"] = ["Must not be before from."];
        }

        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(Paging.Decode(cursor), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) && sequence > 0)
            {
                before = sequence;
            }
            else
            {
                errors["cursor"] = ["Not a cursor returned by this endpoint."];
            }
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        var query = db.AuditEntries.AsNoTracking().Where(e => e.TenantId == chain);
        if (action is not null)
        {
            query = action.EndsWith('.') ? query.Where(e => e.Action.StartsWith(action)) : query.Where(e => e.Action == action);
        }

        if (actorId is not null)
        {
            query = query.Where(e => e.Actor == actorId);
        }

        if (fromAt is { } lower)
        {
            query = query.Where(e => e.At >= lower);
        }

        if (toAt is { } upper)
        {
            query = query.Where(e => e.At <= upper);
        }

        if (before is { } b)
        {
            query = query.Where(e => e.Sequence < b);
        }

        var rows = await query.OrderByDescending(e => e.Sequence).Take(take + 1).ToListAsync(ct);
        var hasMore = rows.Count > take;
        var page = rows.Take(take).ToList();
        var next = hasMore ? Paging.Encode(page[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null;
        return new Page<Item>([.. page.Select(ToItem)], next);
    }

    private static Item ToItem(AuditEntry e) =>
        new(e.Id, e.At, e.Actor, e.ActorName, e.Action, e.Target, DetailOf(e.Detail), e.IpAddress, e.Sequence);

    /// <summary>The stored detail as an object; a detail cut at the column's length is returned as its text.</summary>
    private static JsonObject? DetailOf(string? detail)
    {
        if (detail is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(detail) as JsonObject ?? new JsonObject { ["text"] = detail };
        }
        catch (JsonException)
        {
            return new JsonObject { ["text"] = detail };
        }
    }

    /// <summary>The actor as stored: ids in their lower-case form, so <c>token:ABC…</c> finds <c>token:abc…</c>.</summary>
    private static string? NormalizeActor(string actor)
    {
        if (actor is "operator" or "system" or "anonymous")
        {
            return actor;
        }

        var colon = actor.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var kind = actor[..colon];
        return kind is "user" or "token" && Guid.TryParse(actor[(colon + 1)..], out var id) ? $"{kind}:{id:D}" : null;
    }

    private static DateTimeOffset? ParseTime(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            && IsoTimestamp().IsMatch(value))
        {
            return at;
        }

        errors[field] = ["An ISO 8601 timestamp such as 2026-11-27T09:00:00Z."];
        return null;
    }

    [GeneratedRegex("^[a-z0-9_]+(\\.[a-z0-9_]*)*$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ActionPattern();

    [GeneratedRegex("^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,7})?)?(Z|[+-]\\d{2}:\\d{2})?)?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex IsoTimestamp();
}
