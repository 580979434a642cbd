using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Satisfaction;

/// <summary>Quality evaluation (ADR 0031): a manager scores an agent's conversation 1–5 with comments, sealed with the tenant key.</summary>
internal static class Reviews
{
    public const int MaxComments = 4000;

    public sealed record ReviewRequest(int? Score, string? Comments);

    public sealed record ReviewResponse(Guid Id, Guid ConversationId, Guid? AgentId, string ReviewerId, int Score, string? Comments, DateTimeOffset CreatedAt);

    public static async Task<Results<Created<ReviewResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, Guid conversationId, ReviewRequest request, SwitchboardDbContext db, Sealer sealer, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var conversation = await db.Conversations.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct);
        if (conversation is null)
        {
            return Problems.NotFound();
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Score is not (>= 1 and <= 5))
        {
            errors["score"] = ["A whole number from 1 to 5."];
        }

        if (request.Comments is { Length: > MaxComments })
        {
            errors["comments"] = [$"At most {MaxComments} characters."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        var actor = AuditActor.From(http);
        var review = new ConversationReview
        {
            TenantId = tenantId,
            Id = Guid.CreateVersion7(now),
            ConversationId = conversationId,
            AgentId = conversation.AssignedUserId,
            ReviewerId = actor.Id.Length <= 100 ? actor.Id : actor.Id[..100],
            Score = request.Score!.Value,
            CreatedAt = now,
        };
        var comments = string.IsNullOrWhiteSpace(request.Comments) ? null : request.Comments.Trim();
        review.Comments = comments is null ? null : await sealer.SealAsync(review.CommentsContext, comments, ct);
        db.ConversationReviews.Add(review);
        await AuditLog.RecordAsync(db, tenantId, actor, SatisfactionAudit.ConversationReviewed, $"conversation:{conversationId}", new { review = review.Id, review.Score, review.AgentId }, now, ct);
        return TypedResults.Created($"/api/v1/tenants/{tenantId}/conversations/{conversationId}/reviews/{review.Id}", ToResponse(review, comments));
    }

    public static async Task<Results<Ok<Page<ReviewResponse>>, ProblemHttpResult>> ListAsync(
        Guid tenantId, Guid conversationId, SwitchboardDbContext db, Sealer sealer, CancellationToken ct)
    {
        if (!await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.Id == conversationId, ct))
        {
            return Problems.NotFound();
        }

        var items = new List<ReviewResponse>();
        foreach (var review in await ListOfAsync(db, tenantId, conversationId, ct))
        {
            items.Add(ToResponse(review, review.Comments is null ? null : await sealer.OpenAsync(review.CommentsContext, review.Comments, ct)));
        }

        return TypedResults.Ok(new Page<ReviewResponse>(items, null));
    }

    /// <summary>The conversation's reviews, newest first (at most 100).</summary>
    public static Task<List<ConversationReview>> ListOfAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, CancellationToken ct) =>
        db.ConversationReviews.AsNoTracking().Where(r => r.TenantId == tenantId && r.ConversationId == conversationId)
            .OrderByDescending(r => r.Id).Take(100).ToListAsync(ct);

    private static ReviewResponse ToResponse(ConversationReview r, string? comments) =>
        new(r.Id, r.ConversationId, r.AgentId, r.ReviewerId, r.Score, comments, r.CreatedAt);
}
