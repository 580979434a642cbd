using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Knowledge;

/// <summary>
/// A help-center article of a tenant, in Markdown. The tenant's own wording for its customers, not
/// personal data, so it is stored in clear and indexed for full-text search (ADR 0034).
/// </summary>
internal sealed class KnowledgeArticle
{
    public const int TitleMax = 200;
    public const int BodyMax = 20_000;
    public const int CategoryMax = 80;

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Title { get; set; } = "";

    /// <summary>Markdown, rendered safely (<see cref="KnowledgeMarkdown"/>).</summary>
    public string Body { get; set; } = "";

    public string? Category { get; set; }

    /// <summary>Drafts are seen only by <c>kb:manage</c>; published articles by every member and, through their link, by anyone.</summary>
    public bool Published { get; set; }

    public Guid? AuthorId { get; set; }

    public string AuthorName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The title's search terms (folded and stemmed by <see cref="KnowledgeText"/>); what the full-text index reads.</summary>
    public string SearchTitle { get; set; } = "";

    /// <summary>The category's and body's search terms.</summary>
    public string SearchBody { get; set; } = "";

    /// <summary>Sets the search columns from title, category and body; called on every change (ADR 0034).</summary>
    public void Index()
    {
        SearchTitle = KnowledgeText.Terms(Title);
        SearchBody = KnowledgeText.Terms($"{Category}\n{KnowledgeMarkdown.ToPlainText(Body)}");
    }
}

internal sealed class KnowledgeArticleConfiguration : IEntityTypeConfiguration<KnowledgeArticle>
{
    public void Configure(EntityTypeBuilder<KnowledgeArticle> builder)
    {
        builder.ToTable("KnowledgeArticles");
        builder.HasKey(a => new { a.TenantId, a.Id });
        builder.Property(a => a.Title).HasMaxLength(KnowledgeArticle.TitleMax);
        builder.Property(a => a.Body).HasMaxLength(KnowledgeArticle.BodyMax);
        builder.Property(a => a.Category).HasMaxLength(KnowledgeArticle.CategoryMax);
        builder.Property(a => a.AuthorName).HasMaxLength(200);
        builder.Property(a => a.SearchTitle).HasMaxLength(KnowledgeArticle.TitleMax * 2);
        builder.Property(a => a.SearchBody).HasMaxLength(KnowledgeArticle.BodyMax * 2);
        builder.HasIndex(a => new { a.TenantId, a.Category });
    }
}
