namespace Switchboard.Tests.Jobs;

/// <summary>Common/Jobs is plumbing: it knows no feature, no dashboard page and no host composition (ADR 0021).</summary>
public sealed class JobsBoundaryTests
{
    [Fact]
    public void Common_jobs_references_no_feature_dashboard_or_hosting_code()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }

        var jobs = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Switchboard.slnx)."), "src", "Switchboard", "Common", "Jobs");
        var files = Directory.GetFiles(jobs, "*.cs");
        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            File.ReadAllText(file).Should().NotContainAny(["Switchboard.Features", "Switchboard.Dashboard", "Switchboard.Hosting"], Path.GetFileName(file));
        }
    }
}
