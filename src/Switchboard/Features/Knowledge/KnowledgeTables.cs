using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Knowledge;

/// <summary>The Knowledge feature's tables on the shared context (ADR 0020).</summary>
internal static class KnowledgeTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<KnowledgeArticle> KnowledgeArticles => db.Set<KnowledgeArticle>();
    }
}
