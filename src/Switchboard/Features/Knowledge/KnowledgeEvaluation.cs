using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Knowledge;

/// <summary>
/// Measures retrieval on a labelled set (<c>eval/knowledge</c>): loads its articles into a throw-away tenant
/// inside a transaction that is rolled back, asks every question through <see cref="KnowledgeSearch"/>, and
/// counts how often the expected article comes first (hit@1) or among the first three (hit@3).
/// </summary>
internal static class KnowledgeEvaluation
{
    public sealed record Question(string Text, string Article, string Language);

    public sealed record Miss(Question Question, IReadOnlyList<string> Found);

    public sealed record Report(int Articles, int Questions, double HitAt1, double HitAt3, IReadOnlyList<Miss> Misses)
    {
        public IEnumerable<string> Lines()
        {
            yield return $"articles: {Articles}, questions: {Questions}";
            yield return $"hit@1: {HitAt1:0.000}";
            yield return $"hit@3: {HitAt3:0.000}";
            foreach (var miss in Misses)
            {
                yield return $"miss ({miss.Question.Language}) \"{miss.Question.Text}\": expected {miss.Question.Article}, got [{string.Join(", ", miss.Found)}]";
            }
        }
    }

    public static async Task<Report> RunAsync(SwitchboardDbContext db, string folder, DateTimeOffset now, CancellationToken ct)
    {
        var (articles, questions) = Load(folder);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var tenantId = Guid.CreateVersion7(now);
        db.Tenants.Add(new Tenant { Id = tenantId, Name = "Knowledge base evaluation", CreatedAt = now });
        var keys = new Dictionary<Guid, string>();
        foreach (var (key, title, category, body) in articles)
        {
            var article = new KnowledgeArticle
            {
                TenantId = tenantId,
                Id = Guid.CreateVersion7(now),
                Title = title,
                Body = body,
                Category = category,
                Published = true,
                AuthorName = "eval",
                CreatedAt = now,
                UpdatedAt = now,
            };
            article.Index();
            db.KnowledgeArticles.Add(article);
            keys[article.Id] = key;
        }

        await db.SaveChangesAsync(ct);
        int first = 0, top3 = 0;
        var misses = new List<Miss>();
        foreach (var question in questions)
        {
            var found = (await KnowledgeSearch.SearchAsync(db, tenantId, question.Text, 3, "", ct)).Select(h => keys[h.Id]).ToList();
            first += found.FirstOrDefault() == question.Article ? 1 : 0;
            if (found.Contains(question.Article))
            {
                top3++;
            }
            else
            {
                misses.Add(new Miss(question, found));
            }
        }

        await transaction.RollbackAsync(ct);
        db.ChangeTracker.Clear();
        return new Report(articles.Count, questions.Count, (double)first / questions.Count, (double)top3 / questions.Count, misses);
    }

    /// <summary>The set's articles (key from the file name, title and category from the front matter) and questions.</summary>
    public static (List<(string Key, string Title, string? Category, string Body)> Articles, List<Question> Questions) Load(string folder)
    {
        var articles = new List<(string, string, string?, string)>();
        foreach (var file in Directory.GetFiles(Path.Combine(folder, "articles"), "*.md").Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(file);
            var end = Array.IndexOf(lines, "---", 1);
            if (lines.Length == 0 || lines[0] != "---" || end < 0)
            {
                throw new InvalidDataException($"{file}: no front matter");
            }

            string? Field(string name) => lines[1..end].Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
                .Select(l => l[(name.Length + 1)..].Trim().Trim('"')).FirstOrDefault();
            var title = Field("title") ?? throw new InvalidDataException($"{file}: no title");
            articles.Add((Path.GetFileNameWithoutExtension(file), title, Field("category"), string.Join('\n', lines[(end + 1)..]).Trim()));
        }

        var questions = File.ReadAllLines(Path.Combine(folder, "questions.jsonl"))
            .Where(l => !string.IsNullOrWhiteSpace(l))
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => new Question(e.GetProperty("question").GetString()!, e.GetProperty("article").GetString()!, e.GetProperty("language").GetString()!))
            .ToList();
        return (articles, questions);
    }
}

/// <summary><c>switchboard eval-kb [--set FOLDER]</c>: prints the knowledge base's hit@1, hit@3 and misses on the evaluation set (default <c>eval/knowledge</c>).</summary>
public static class EvalKnowledgeCommand
{
    public const string Name = "eval-kb";

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var folder = args switch
        {
            [] => RepositoryFolder.Resolve(Path.Combine("eval", "knowledge")),
            ["--set", var path] => RepositoryFolder.Resolve(path),
            _ => null,
        };
        if (folder is null || !File.Exists(Path.Combine(folder, "questions.jsonl")))
        {
            await error.WriteLineAsync(folder is null ? "usage: eval-kb [--set FOLDER]" : $"eval-kb: {folder}: no questions.jsonl (pass --set FOLDER)");
            return 2;
        }

        var factory = services.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        var report = await KnowledgeEvaluation.RunAsync(db, folder, services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None);
        await output.WriteLineAsync($"eval-kb ({(db.IsSqlite ? "SQLite" : "PostgreSQL")}, {folder})");
        foreach (var line in report.Lines())
        {
            await output.WriteLineAsync(line);
        }

        return 0;
    }
}
