using Microsoft.Extensions.Options;

namespace Switchboard.Features.Media;

/// <summary>The <c>Switchboard:Media</c> section.</summary>
internal sealed class MediaOptions
{
    public const string Section = "Switchboard:Media";

    /// <summary>Delay before the second attempt; each later one waits four times longer (capped at 2 h).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxAttempts { get; set; } = 12;

    /// <summary>
    /// Where sealed files go (ADR 0056, 0061): <c>files</c> (the data directory; one node, or a folder every node mounts),
    /// <c>database</c> (a table every node reads) or <c>s3</c> (a bucket of an S3-compatible store, <see cref="S3"/>).
    /// </summary>
    public string Store { get; set; } = "files";

    /// <summary>The <c>Switchboard:Media:S3</c> section, read when <see cref="Store"/> is <c>s3</c>.</summary>
    public S3MediaOptions S3 { get; set; } = new();

    public static bool IsKnownStore(string store) => store.Trim().ToLowerInvariant() is "files" or "" or "database" or "s3";

    public MediaStoreKind StoreKind => Store.Trim().ToLowerInvariant() switch
    {
        "files" or "" => MediaStoreKind.Files,
        "database" => MediaStoreKind.Database,
        "s3" => MediaStoreKind.S3,
        _ => throw new InvalidOperationException($"Switchboard:Media:Store must be 'files', 'database' or 's3', not '{Store}'."),
    };
}

internal enum MediaStoreKind
{
    Files,
    Database,
    S3,
}

/// <summary>The bucket of the <c>s3</c> media store (ADR 0061). Without keys the SDK's own chain is used (environment, instance role).</summary>
internal sealed class S3MediaOptions
{
    /// <summary>The endpoint of an S3-compatible store (<c>https://minio.internal:9000</c>); empty for Amazon S3 itself, found from <see cref="Region"/>.</summary>
    public string ServiceUrl { get; set; } = "";

    public string Bucket { get; set; } = "";

    public string Region { get; set; } = "";

    public string AccessKey { get; set; } = "";

    public string SecretKey { get; set; } = "";

    /// <summary>Bucket in the path (<c>host/bucket/key</c>) rather than the host name; most self-hosted stores need it.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Put before every key (<c>switchboard/</c>), for a bucket shared with other data.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>What is wrong with these settings, one sentence each; none of them quotes the secret key.</summary>
    public IEnumerable<string> Problems()
    {
        const string Section = MediaOptions.Section + ":S3";
        if (string.IsNullOrWhiteSpace(Bucket))
        {
            yield return $"{Section}:Bucket is required when Switchboard:Media:Store is 's3'.";
        }

        if (string.IsNullOrWhiteSpace(ServiceUrl) && string.IsNullOrWhiteSpace(Region))
        {
            yield return $"{Section}:ServiceUrl (an S3-compatible store) or {Section}:Region (Amazon S3) is required when Switchboard:Media:Store is 's3'.";
        }

        if (!string.IsNullOrWhiteSpace(ServiceUrl)
            && !(Uri.TryCreate(ServiceUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            yield return $"{Section}:ServiceUrl must be an absolute http or https URL.";
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            yield return $"{Section}:AccessKey and {Section}:SecretKey go together: set both, or neither to use the AWS SDK's default credentials.";
        }

        if (Prefix.StartsWith('/'))
        {
            yield return $"{Section}:Prefix must not start with '/'.";
        }
    }
}

/// <summary>Refuses to start with an unknown store or an <c>s3</c> store that is not fully configured.</summary>
internal sealed class MediaOptionsValidation : IValidateOptions<MediaOptions>
{
    public ValidateOptionsResult Validate(string? name, MediaOptions options)
    {
        if (!MediaOptions.IsKnownStore(options.Store))
        {
            return ValidateOptionsResult.Fail("Switchboard:Media:Store must be 'files', 'database' or 's3'.");
        }

        var problems = options.StoreKind == MediaStoreKind.S3 ? options.S3.Problems().ToList() : [];
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
