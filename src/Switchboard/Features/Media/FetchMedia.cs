using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Media;

/// <summary>
/// Fetches one inbound attachment: Graph media URL → download with the channel's token → size cap for
/// its kind → SHA-256 check against what Meta announced → sealed with the contact's key into the blob store.
/// </summary>
internal sealed class FetchMedia(GraphMediaClient graph, BlobStore blobs, Sealer sealer, ContactKeys contactKeys)
{
    /// <summary>Meta's limits per kind (documents up to 100 MB).</summary>
    public static long MaxBytes(string kind) => kind switch
    {
        "image" => 5L * 1024 * 1024,
        "sticker" => 500L * 1024,
        "audio" or "video" => 16L * 1024 * 1024,
        _ => 100L * 1024 * 1024,
    };

    public async Task HandleAsync(SwitchboardDbContext db, MediaObject media, CancellationToken ct)
    {
        var channel = await db.Channels.AsNoTracking().FirstOrDefaultAsync(c => c.TenantId == media.TenantId && c.Id == media.ChannelId, ct)
            ?? throw new MediaFetchException("channel-gone", permanent: true);
        if (channel.IsRevoked)
        {
            throw new MediaFetchException("channel-revoked", permanent: true);
        }

        var contact = await db.Contacts.AsNoTracking().FirstAsync(c => c.TenantId == media.TenantId && c.Id == media.ContactId, ct);
        var contactKey = await contactKeys.KeyOfAsync(contact, ct);
        var token = await sealer.OpenAsync(ChannelSecrets.AccessTokenOf(channel), channel.AccessToken, ct);

        var info = await graph.GetInfoAsync(media.MetaMediaId, channel.PhoneNumberId, token, ct);
        var maxBytes = MaxBytes(media.Kind);
        if (info.FileSize > maxBytes)
        {
            throw new MediaFetchException("too-large", permanent: true);
        }

        var bytes = await graph.DownloadAsync(info.Url, token, maxBytes, ct);
        if (!Sha256Matches(bytes, media.Sha256 ?? info.Sha256))
        {
            throw new MediaFetchException("sha256-mismatch");
        }

        var sealedBytes = Sealer.Seal(contactKey, BlobContext(media), bytes);
        await blobs.WriteAsync(media.TenantId, media.Id, sealedBytes, ct);
        media.MimeType ??= info.MimeType;
        media.FileSize = bytes.LongLength;
    }

    public static SealContext BlobContext(MediaObject media) => new(media.TenantId, MediaObject.Table, media.Id, "Blob");

    /// <summary>Meta gives the hash base64-encoded (sometimes hex); no announced hash means nothing to check.</summary>
    internal static bool Sha256Matches(byte[] bytes, string? announced)
    {
        if (string.IsNullOrWhiteSpace(announced))
        {
            return true;
        }

        var actual = SHA256.HashData(bytes);
        return string.Equals(Convert.ToBase64String(actual), announced.Trim(), StringComparison.Ordinal)
            || string.Equals(Convert.ToHexString(actual), announced.Trim(), StringComparison.OrdinalIgnoreCase);
    }
}
