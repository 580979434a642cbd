using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Configuration;
using Switchboard.Features.Media;

namespace Switchboard.Tests.Infrastructure;

/// <summary>An app whose media store is a bucket of a real S3-compatible server (s3rver), under a key prefix (ADR 0061).</summary>
public abstract class S3MediaFixture(DatabaseProvider provider) : AppFixture(provider)
{
    public string Prefix { get; } = "switchboard/";

    public S3rver Server { get; private set; } = null!;

    protected override async Task<IDictionary<string, string?>?> SettingsAsync()
    {
        Server = await S3rver.StartAsync();
        return Server.Settings(Prefix);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}

/// <summary>What the configured media store holds, looked up in the store itself (the folder, the table, the bucket), not through Switchboard.</summary>
public static class StoredFiles
{
    /// <summary>The ids of the tenant's sealed files.</summary>
    public static async Task<List<Guid>> OfTenantAsync(AppFixture fixture, Guid tenantId)
    {
        if (fixture is S3MediaFixture s3)
        {
            var folder = s3.Prefix + tenantId.ToString("N") + "/";
            return [.. (await s3.Server.KeysAsync(folder)).Select(k => Guid.ParseExact(k[folder.Length..], "N"))];
        }

        await using var db = fixture.App.NewDbContext();
        var rows = await db.MediaBlobs.Where(b => b.TenantId == tenantId).Select(b => b.Id).ToListAsync();
        var folderOfFiles = Path.Combine(fixture.App.DataDirectory, "media", tenantId.ToString("N"));
        var files = Directory.Exists(folderOfFiles) ? Directory.GetFiles(folderOfFiles, "*.bin").Select(f => Guid.ParseExact(Path.GetFileNameWithoutExtension(f), "N")) : [];
        return [.. rows.Concat(files)];
    }
}
