using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;

namespace Switchboard.Features.Conversations;

/// <summary>
/// The conversations a restricted caller may see (ADR 0022, amendment): those of <see cref="TeamIds"/>, those
/// assigned to <see cref="UserId"/>, and those in no team. <c>null</c> everywhere means "all of the tenant's".
/// </summary>
internal sealed record ConversationVisibility(Guid UserId, IReadOnlyList<Guid> TeamIds);

/// <summary>
/// Which conversations a caller sees (a seam: Routing implements it from its settings and team members, so that
/// Conversations does not depend on Routing). Returns null for "all".
/// </summary>
internal interface IConversationScope
{
    ValueTask<ConversationVisibility?> ForAsync(ClaimsPrincipal user, Guid tenantId, CancellationToken ct);
}

/// <summary>Without routing: everyone sees every conversation of their tenant.</summary>
internal sealed class EveryConversation : IConversationScope
{
    public ValueTask<ConversationVisibility?> ForAsync(ClaimsPrincipal user, Guid tenantId, CancellationToken ct) => ValueTask.FromResult<ConversationVisibility?>(null);
}

/// <summary>The one filter every query and loader of conversations applies for a caller.</summary>
internal static class ConversationScopes
{
    public static IQueryable<Conversation> VisibleTo(this IQueryable<Conversation> query, ConversationVisibility? visible)
    {
        if (visible is null)
        {
            return query;
        }

        var userId = visible.UserId;
        var teams = visible.TeamIds.ToList();
        return query.Where(c => c.TeamId == null || c.AssignedUserId == userId || teams.Contains(c.TeamId.Value));
    }

    public static bool Allows(this ConversationVisibility? visible, Conversation conversation) =>
        visible is null || conversation.TeamId is not { } team || conversation.AssignedUserId == visible.UserId || visible.TeamIds.Contains(team);

    /// <summary>
    /// On a <c>…/conversations/{conversationId}</c> group: a conversation the caller may not see answers 404,
    /// exactly like another tenant's (ADR 0002). Checked by <see cref="UseConversationScope"/> right after
    /// authorization, before the body is read, so that a bad body cannot tell a hidden conversation apart.
    /// </summary>
    public static TBuilder RequireVisibleConversation<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(VisibleConversationOnly.Instance);

    /// <summary>After <c>UseAuthorization</c>: enforces <see cref="RequireVisibleConversation"/>.</summary>
    public static IApplicationBuilder UseConversationScope(this IApplicationBuilder app) =>
        app.Use(async (http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<VisibleConversationOnly>() is not null
                && Guid.TryParse(http.GetRouteValue("tenantId") as string, out var tenantId)
                && Guid.TryParse(http.GetRouteValue("conversationId") as string, out var conversationId)
                && http.User.Identity?.IsAuthenticated == true)
            {
                var visible = await http.RequestServices.GetRequiredService<IConversationScope>().ForAsync(http.User, tenantId, http.RequestAborted);
                if (visible is not null)
                {
                    var db = http.RequestServices.GetRequiredService<SwitchboardDbContext>();
                    if (!await db.Conversations.Where(c => c.TenantId == tenantId && c.Id == conversationId).VisibleTo(visible).AnyAsync(http.RequestAborted))
                    {
                        await Problems.NotFound().ExecuteAsync(http);
                        return;
                    }
                }
            }

            await next(http);
        });

    private sealed class VisibleConversationOnly
    {
        public static readonly VisibleConversationOnly Instance = new();
    }
}
