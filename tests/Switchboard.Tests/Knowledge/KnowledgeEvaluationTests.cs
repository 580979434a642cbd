using Switchboard.Features.Knowledge;
using Switchboard.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Switchboard.Tests.Knowledge;

/// <summary>Retrieval quality on the labelled set in eval/knowledge (issue 21: hit@3 ≥ 0.85), on each database.</summary>
public abstract class KnowledgeEvaluationTests(AppFixture fixture, ITestOutputHelper output)
{
    public static string SetFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return Path.Combine(dir.FullName, "eval", "knowledge");
            }
        }

        throw new DirectoryNotFoundException("repository root (Switchboard.slnx) not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task Three_in_four_questions_and_more_find_their_article_among_the_first_three()
    {
        await using var db = fixture.App.NewDbContext();
        var report = await KnowledgeEvaluation.RunAsync(db, SetFolder(), DateTimeOffset.UtcNow, CancellationToken.None);
        foreach (var line in report.Lines())
        {
            output.WriteLine(line);
        }

        report.Articles.Should().BeGreaterThanOrEqualTo(20);
        report.Questions.Should().BeGreaterThanOrEqualTo(60);
        report.HitAt3.Should().BeGreaterThanOrEqualTo(0.85, string.Join('\n', report.Lines()));
        await using var after = fixture.App.NewDbContext();
        after.Tenants.Count(t => t.Name == "Knowledge base evaluation").Should().Be(0, "the evaluation leaves nothing behind");
    }
}

public sealed class KnowledgeEvaluationTests_Sqlite(SqliteAppFixture fixture, ITestOutputHelper output) : KnowledgeEvaluationTests(fixture, output), IClassFixture<SqliteAppFixture>;

public sealed class KnowledgeEvaluationTests_Postgres(PostgresAppFixture fixture, ITestOutputHelper output) : KnowledgeEvaluationTests(fixture, output), IClassFixture<PostgresAppFixture>;
