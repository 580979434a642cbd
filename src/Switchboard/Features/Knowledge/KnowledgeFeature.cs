using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Knowledge;

/// <summary>The tenant's knowledge base: Markdown articles, full-text search, public article pages (ADR 0034).</summary>
public static class KnowledgeFeature
{
    public static IServiceCollection AddKnowledge(this IServiceCollection services) =>
        services.AddSingleton<KnowledgeSearch>();

    public static IEndpointRouteBuilder MapKnowledge(this IEndpointRouteBuilder routes)
    {
        // Reading and searching: every member (drafts only with kb:manage, checked by the use case); changes: kb:manage.
        var kb = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/kb").WithTags("Knowledge base");
        kb.MapGet("/articles", KnowledgeArticles.ListAsync).WithName("ListKnowledgeArticles").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        kb.MapGet("/articles/{articleId:guid}", KnowledgeArticles.GetAsync).WithName("GetKnowledgeArticle").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));
        kb.MapPost("/articles", KnowledgeArticles.CreateAsync).WithName("CreateKnowledgeArticle").RequireAuthorization(TenantPolicies.Member(Permissions.KbManage));
        kb.MapPut("/articles/{articleId:guid}", KnowledgeArticles.UpdateAsync).WithName("UpdateKnowledgeArticle").RequireAuthorization(TenantPolicies.Member(Permissions.KbManage));
        kb.MapDelete("/articles/{articleId:guid}", KnowledgeArticles.DeleteAsync).WithName("DeleteKnowledgeArticle").RequireAuthorization(TenantPolicies.Member(Permissions.KbManage));
        kb.MapGet("/search", KnowledgeArticles.SearchAsync).WithName("SearchKnowledgeBase").RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead));

        // The public page of a published article (anonymous by design: it is meant for customers).
        routes.MapGet("/kb/{tenantId:guid}/{articleId:guid}", KnowledgePublicPage.ShowAsync).AllowAnonymous().ExcludeFromDescription();
        return routes;
    }
}
