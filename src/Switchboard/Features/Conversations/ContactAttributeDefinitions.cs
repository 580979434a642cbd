using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;

namespace Switchboard.Features.Conversations;

/// <summary>The tenant's custom contact attributes (key, label, type text | number | date | list with options); admins manage them.</summary>
internal static class ContactAttributeDefinitions
{
    public const int MaxDefinitions = 50;

    public sealed record Request(string? Key, string? Label, string? Type, IReadOnlyList<string>? Options);

    public sealed record DefinitionResponse(string Key, string Label, string Type, IReadOnlyList<string> Options);

    public sealed record DefinitionList(IReadOnlyList<DefinitionResponse> Items, string? NextCursor);

    public static async Task<Ok<DefinitionList>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct) =>
        TypedResults.Ok(new DefinitionList([.. (await ReadAsync(db, tenantId, ct)).Select(ToResponse)], null));

    public static async Task<List<ContactAttributeDefinition>> ReadAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct) =>
        await db.ContactAttributeDefinitions.AsNoTracking().Where(d => d.TenantId == tenantId).OrderBy(d => d.Position).ThenBy(d => d.Key).ToListAsync(ct);

    public static async Task<Results<Created<DefinitionResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, Request request, HttpContext http, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var errors = Check(request, checkKey: true);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await db.ContactAttributeDefinitions.AnyAsync(d => d.TenantId == tenantId && d.Key == request.Key, ct))
        {
            return Problems.Conflict("An attribute with this key exists.");
        }

        var count = await db.ContactAttributeDefinitions.CountAsync(d => d.TenantId == tenantId, ct);
        if (count >= MaxDefinitions)
        {
            return Problems.Validation("key", $"A tenant has at most {MaxDefinitions} attributes.");
        }

        var now = clock.GetUtcNow();
        var definition = new ContactAttributeDefinition { TenantId = tenantId, Key = request.Key!, Position = count, CreatedAt = now };
        Apply(definition, request, now);
        db.ContactAttributeDefinitions.Add(definition);
        try
        {
            await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.ContactAttributeCreated, $"contact_attribute:{definition.Key}", ToResponse(definition), now, ct);
        }
        catch (DbUpdateException ex) when (ex.IsUniqueViolation())
        {
            return Problems.Conflict("An attribute with this key exists.");
        }

        return TypedResults.Created($"/api/v1/tenants/{tenantId}/contact-attributes/{definition.Key}", ToResponse(definition));
    }

    public static async Task<Results<Ok<DefinitionResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, string key, Request request, HttpContext http, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var definition = await db.ContactAttributeDefinitions.FirstOrDefaultAsync(d => d.TenantId == tenantId && d.Key == key, ct);
        if (definition is null)
        {
            return Problems.NotFound();
        }

        var errors = Check(request, checkKey: false);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var now = clock.GetUtcNow();
        Apply(definition, request, now);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.ContactAttributeUpdated, $"contact_attribute:{key}", ToResponse(definition), now, ct);
        return TypedResults.Ok(ToResponse(definition));
    }

    /// <summary>The definition goes; values already sealed on contacts stay but are no longer shown or accepted.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, string key, HttpContext http, SwitchboardDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var definition = await db.ContactAttributeDefinitions.FirstOrDefaultAsync(d => d.TenantId == tenantId && d.Key == key, ct);
        if (definition is null)
        {
            return Problems.NotFound();
        }

        db.ContactAttributeDefinitions.Remove(definition);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), AuditActions.ContactAttributeDeleted, $"contact_attribute:{key}", null, clock.GetUtcNow(), ct);
        return TypedResults.NoContent();
    }

    public static DefinitionResponse ToResponse(ContactAttributeDefinition d) => new(d.Key, d.Label, d.Type.ToString().ToLowerInvariant(), d.OptionList);

    private static void Apply(ContactAttributeDefinition definition, Request request, DateTimeOffset now)
    {
        definition.Label = request.Label!.Trim();
        definition.Type = Enum.Parse<ContactAttributeType>(request.Type!, ignoreCase: true);
        definition.Options = definition.Type == ContactAttributeType.List ? string.Join('\n', request.Options!.Select(o => o.Trim())) : null;
        definition.UpdatedAt = now;
    }

    private static Dictionary<string, string[]> Check(Request request, bool checkKey)
    {
        var errors = new Dictionary<string, string[]>();
        if (checkKey && (request.Key is null || !ContactAttributes.KeyPattern().IsMatch(request.Key)))
        {
            errors["key"] = ["1 to 40 lower case letters, digits or underscores, starting with a letter."];
        }

        if (string.IsNullOrWhiteSpace(request.Label) || request.Label.Trim().Length > 80)
        {
            errors["label"] = ["From 1 to 80 characters."];
        }

        if (request.Type is not ("text" or "number" or "date" or "list"))
        {
            errors["type"] = ["One of text, number, date, list."];
        }
        else if (request.Type == "list")
        {
            var options = request.Options?.Select(o => o?.Trim()).ToList() ?? [];
            if (options.Count is 0 or > 100 || options.Any(o => string.IsNullOrEmpty(o) || o.Length > 80 || o.Contains('\n', StringComparison.Ordinal))
                || options.Distinct(StringComparer.Ordinal).Count() != options.Count)
            {
                errors["options"] = ["A list needs 1 to 100 distinct options of 1 to 80 characters."];
            }
        }

        return errors;
    }
}
