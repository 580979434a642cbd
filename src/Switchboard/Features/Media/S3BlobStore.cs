using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Switchboard.Features.Media;

/// <summary>
/// The <c>s3</c> store (ADR 0061): one object per sealed file, keyed <c>{prefix}{tenant}/{id}</c> (both ids without dashes),
/// in a bucket of Amazon S3 or any S3-compatible store that every node reaches. The bucket only ever holds sealed bytes.
/// </summary>
internal sealed class S3BlobStore : BlobStore, IDisposable
{
    /// <summary>The most keys one DeleteObjects request takes.</summary>
    private const int DeleteBatch = 1000;

    private readonly AmazonS3Client client;
    private readonly string bucket;
    private readonly string prefix;

    public S3BlobStore(S3MediaOptions options)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,

            // Checksums only where the API requires one: S3-compatible stores differ in the trailing checksums the SDK
            // otherwise adds, and every file is authenticated by its seal already.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrWhiteSpace(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrWhiteSpace(options.Region) ? "us-east-1" : options.Region;
        }

        client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
        bucket = options.Bucket;
        prefix = options.Prefix;
    }

    public override async Task WriteAsync(Guid tenantId, Guid id, byte[] sealedBytes, CancellationToken ct)
    {
        using var body = new MemoryStream(sealedBytes, writable: false);
        var request = new PutObjectRequest { BucketName = bucket, Key = KeyOf(tenantId, id), InputStream = body, ContentType = "application/octet-stream", AutoCloseStream = false };

        // The bytes are in memory: one signed body, not aws-chunked encoding, which some S3-compatible stores keep as the object.
        request.UseChunkEncoding = false;
        await client.PutObjectAsync(request, ct);
    }

    public override async Task<byte[]?> ReadAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        try
        {
            using var response = await client.GetObjectAsync(bucket, KeyOf(tenantId, id), ct);
            using var bytes = new MemoryStream(response.ContentLength is > 0 and <= int.MaxValue ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(bytes, ct);
            return bytes.ToArray();
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public override Task DeleteAsync(Guid tenantId, IReadOnlyCollection<Guid> ids) => DeleteKeysAsync([.. ids.Select(id => KeyOf(tenantId, id))]);

    public override async Task DeleteTenantAsync(Guid tenantId)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + tenantId.ToString("N") + "/", MaxKeys = DeleteBatch };
        ListObjectsV2Response page;
        do
        {
            page = await client.ListObjectsV2Async(request);
            await DeleteKeysAsync([.. (page.S3Objects ?? []).Select(o => o.Key)]);
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);
    }

    public void Dispose() => client.Dispose();

    private string KeyOf(Guid tenantId, Guid id) => prefix + tenantId.ToString("N") + "/" + id.ToString("N");

    /// <summary>Deleting a key that is not there succeeds, as S3 defines it.</summary>
    private async Task DeleteKeysAsync(IReadOnlyList<string> keys)
    {
        if (keys.Count == 1)
        {
            await client.DeleteObjectAsync(bucket, keys[0]);
            return;
        }

        foreach (var batch in keys.Chunk(DeleteBatch))
        {
            // DeleteObjects throws DeleteObjectsException when any key of the batch could not be removed.
            await client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Quiet = true, Objects = [.. batch.Select(k => new KeyVersion { Key = k })] });
        }
    }
}
