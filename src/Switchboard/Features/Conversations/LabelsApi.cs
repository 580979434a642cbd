using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>Labels as the API shows them, and what their use cases share (CreateLabel, UpdateLabel, DeleteLabel, ListLabels, SetConversationLabels).</summary>
internal static class LabelsApi
{
    public const int MaxLabels = 500;

    public sealed record LabelRequest(
        [property: Required, StringLength(50, MinimumLength = 1)] string? Name,
        [property: Required, RegularExpression("^#[0-9a-fA-F]{6}$", ErrorMessage = "A hex colour such as #1f883d.")] string? Color);

    public sealed record LabelResponse(Guid Id, string Name, string Color, DateTimeOffset CreatedAt);

    public sealed record ConversationLabelsRequest([property: Required, MaxLength(20)] string[]? Labels);

    public static LabelResponse ToResponse(Label l) => new(l.Id, l.Name, l.Color, l.CreatedAt);

    /// <summary>The trimmed name and the lower-case colour, or the field errors.</summary>
    public static Outcome<Label> Validate(LabelRequest request, Label into)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0 || name.Any(char.IsControl) || name.Contains(',', StringComparison.Ordinal))
        {
            return Failure.Invalid("name", "A name of 1 to 50 characters, without commas or control characters.");
        }

        into.Name = name;
        into.Color = request.Color!.ToLowerInvariant();
        return into;
    }

    public static Task<bool> NameTakenAsync(SwitchboardDbContext db, Guid tenantId, string name, Guid except, CancellationToken ct) =>
        db.Labels.AnyAsync(l => l.TenantId == tenantId && l.Name == name && l.Id != except, ct);

    public static Failure Taken() => Failure.Conflict("A label with this name exists.");

    /// <summary>The label names of each conversation, alphabetical.</summary>
    public static async Task<Dictionary<Guid, IReadOnlyList<string>>> NamesOfAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyCollection<Guid> conversationIds, CancellationToken ct)
    {
        if (conversationIds.Count == 0)
        {
            return [];
        }

        var ids = conversationIds.ToList();
        var rows = await (
            from cl in db.ConversationLabels.AsNoTracking()
            join l in db.Labels.AsNoTracking() on new { cl.TenantId, Id = cl.LabelId } equals new { l.TenantId, l.Id }
            where cl.TenantId == tenantId && ids.Contains(cl.ConversationId)
            select new { cl.ConversationId, l.Name }).ToListAsync(ct);
        return rows.GroupBy(r => r.ConversationId)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)[.. g.Select(r => r.Name).Order(StringComparer.Ordinal)]);
    }

    /// <summary>The answer with the conversation's labels filled in.</summary>
    public static async Task<ConversationResponse> WithLabelsAsync(SwitchboardDbContext db, Guid tenantId, ConversationResponse response, CancellationToken ct) =>
        response with { Labels = (await NamesOfAsync(db, tenantId, [response.Id], ct)).GetValueOrDefault(response.Id) ?? [] };
}
