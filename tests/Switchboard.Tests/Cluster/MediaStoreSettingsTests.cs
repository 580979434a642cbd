using Microsoft.Extensions.Options;
using Switchboard.Tests.Infrastructure;

namespace Switchboard.Tests.Cluster;

/// <summary>A media store that cannot work refuses the start, naming the setting and never quoting the secret key (ADR 0061).</summary>
public sealed class MediaStoreSettingsTests : IAsyncLifetime
{
    private const string Secret = "s3-secret-that-must-not-show-7f3a";

    private readonly SqliteTestDatabase database = new();

    public Task InitializeAsync() => database.CreateAsync();

    public async Task DisposeAsync() => await database.DisposeAsync();

    [Theory]
    [InlineData("s4", null, null, null, "Switchboard:Media:Store must be 'files', 'database' or 's3'.")]
    [InlineData("s3", null, "http://127.0.0.1:9000", "S3RVER", "Switchboard:Media:S3:Bucket is required when Switchboard:Media:Store is 's3'.")]
    [InlineData("s3", "media", null, "S3RVER", "Switchboard:Media:S3:ServiceUrl (an S3-compatible store) or Switchboard:Media:S3:Region (Amazon S3) is required*")]
    [InlineData("s3", "media", "minio.internal:9000", "S3RVER", "Switchboard:Media:S3:ServiceUrl must be an absolute http or https URL.")]
    [InlineData("s3", "media", "http://127.0.0.1:9000", null, "Switchboard:Media:S3:AccessKey and Switchboard:Media:S3:SecretKey go together*")]
    public async Task An_unusable_media_store_refuses_the_start(string store, string? bucket, string? serviceUrl, string? accessKey, string expected)
    {
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?>
        {
            ["Switchboard:Media:Store"] = store,
            ["Switchboard:Media:S3:Bucket"] = bucket,
            ["Switchboard:Media:S3:ServiceUrl"] = serviceUrl,
            ["Switchboard:Media:S3:AccessKey"] = accessKey,
            ["Switchboard:Media:S3:SecretKey"] = Secret,
        });

        var start = () => app.Server;

        start.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainMatch(expected).And.NotContain(f => f.Contains(Secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_complete_s3_store_starts_without_reaching_the_bucket()
    {
        await using var app = new SwitchboardApp(database, new Dictionary<string, string?>
        {
            ["Switchboard:Media:Store"] = "s3",
            ["Switchboard:Media:S3:Bucket"] = "media",
            ["Switchboard:Media:S3:Region"] = "eu-west-1",
        });

        (await app.CreateClient().GetAsync("/health/live")).StatusCode.Should().Be(System.Net.HttpStatusCode.OK);
    }
}
