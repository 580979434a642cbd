using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Media;

namespace Switchboard.Features.Privacy;

/// <summary>
/// Writes an export's ZIP (ADR 0026): per contact its profile, conversations with messages, statuses and
/// reactions, and media files; for a tenant export every contact and <c>tenant.json</c>; then the signed
/// manifest. Erased contacts are left out. Progress is saved after each contact.
/// </summary>
internal sealed class BuildExport(ContactDirectory directory, ContactKeys contactKeys, BlobStore blobs, ExportSigningKeys signingKeys)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<byte[]> HandleAsync(SwitchboardDbContext db, Export export, CancellationToken ct)
    {
        var tenantId = export.TenantId;
        var contactIds = await db.Contacts.AsNoTracking()
            .Where(c => c.TenantId == tenantId && c.DataKey != null && (export.ContactId == null || c.Id == export.ContactId))
            .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
        if (export.ContactId is not null && contactIds.Count == 0)
        {
            throw new KeyDestroyedException("The contact of this export has been erased.");
        }

        using var zip = new MemoryStream();
        var files = new List<ManifestFile>();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string path, byte[] bytes)
            {
                var entry = archive.CreateEntry(path, CompressionLevel.Optimal);
                using (var stream = entry.Open())
                {
                    stream.Write(bytes);
                }

                files.Add(new ManifestFile(path, bytes.Length, ExportManifest.Sha256Hex(bytes)));
            }

            if (export.ContactId is null)
            {
                Add("tenant.json", await TenantAsync(db, tenantId, ct));
            }

            for (var i = 0; i < contactIds.Count; i++)
            {
                await AddContactAsync(db, tenantId, contactIds[i], Add, ct);
                var progress = (int)((i + 1) * 99L / contactIds.Count);
                await db.Exports.Where(e => e.TenantId == tenantId && e.Id == export.Id).ExecuteUpdateAsync(s => s.SetProperty(e => e.Progress, progress), ct);
            }

            var manifest = ExportManifest.Unsigned(tenantId, export.Id, export.ContactId, export.CreatedAt, files);
            var (key, signature) = await signingKeys.SignAsync(tenantId, ExportManifest.PayloadOf(manifest), ct);
            ExportManifest.AttachSignature(manifest, key.Id, key.PublicKey, signature);
            var entry = archive.CreateEntry(ExportManifest.FileName, CompressionLevel.Optimal);
            using var stream = entry.Open();
            stream.Write(Encoding.UTF8.GetBytes(manifest.ToJsonString(Json)));
        }

        return zip.ToArray();
    }

    private static async Task<byte[]> TenantAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.Id, t.Name, t.CreatedAt }).SingleAsync(ct);
        var channels = await db.Channels.AsNoTracking().Where(c => c.TenantId == tenantId).OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.PhoneNumberId, c.WabaId, c.DisplayPhoneNumber, c.VerifiedName, c.CreatedAt }).ToListAsync(ct);
        return JsonSerializer.SerializeToUtf8Bytes(new { tenant.Id, tenant.Name, tenant.CreatedAt, channels }, Json);
    }

    private async Task AddContactAsync(SwitchboardDbContext db, Guid tenantId, Guid contactId, Action<string, byte[]> add, CancellationToken ct)
    {
        var contact = await db.Contacts.AsNoTracking().SingleAsync(c => c.TenantId == tenantId && c.Id == contactId, ct);
        var profile = await directory.ReadAsync(contact, ct);
        var key = await contactKeys.KeyOfAsync(contact, ct);
        var folder = $"contacts/{contactId}";
        add($"{folder}/contact.json", JsonSerializer.SerializeToUtf8Bytes(
            new { profile.Id, profile.WaId, profile.UserId, profile.Name, contact.CreatedAt, contact.UpdatedAt }, Json));

        var media = await db.MediaObjects.AsNoTracking().Where(m => m.TenantId == tenantId && m.ContactId == contactId).ToListAsync(ct);
        var files = new Dictionary<Guid, string>();
        foreach (var item in media.Where(m => m.State == MediaState.Stored))
        {
            if (await blobs.ReadAsync(tenantId, item.Id, ct) is { } sealedBytes)
            {
                var path = $"{folder}/media/{item.Id}{ExtensionOf(item.MimeType)}";
                add(path, Sealer.Open(key, BlobStore.ContextOf(item), sealedBytes));
                files[item.Id] = path;
            }
        }

        var messages = await db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.ContactId == contactId).OrderBy(m => m.Timestamp).ThenBy(m => m.Id).ToListAsync(ct);
        var wamids = messages.Where(m => m.Wamid != null).Select(m => m.Wamid!).Distinct().ToList();
        var statuses = (await db.StatusUpdates.AsNoTracking().Where(s => s.TenantId == tenantId && EF.Parameter(wamids).Contains(s.Wamid)).ToListAsync(ct))
            .ToLookup(s => (s.ChannelId, s.Wamid));
        var reactions = (await db.Reactions.AsNoTracking().Where(r => r.TenantId == tenantId && r.ContactId == contactId && r.Emoji != null).ToListAsync(ct))
            .ToLookup(r => (r.ChannelId, r.TargetWamid));
        var mediaByMessage = media.ToLookup(m => m.MessageId);

        var conversations = await db.Conversations.AsNoTracking().Where(c => c.TenantId == tenantId && c.ContactId == contactId).OrderBy(c => c.CreatedAt).ToListAsync(ct);
        foreach (var conversation in conversations)
        {
            var thread = messages.Where(m => m.ConversationId == conversation.Id).Select(m => new
            {
                m.Id,
                m.Wamid,
                Direction = m.Direction.ToString().ToLowerInvariant(),
                m.Type,
                m.Timestamp,
                Text = OpenOrNull(key, m.SealContext(nameof(Message.Text)), m.Text),
                Content = ParseOrText(OpenOrNull(key, m.SealContext(nameof(Message.Content)), m.Content)),
                Status = DeliveryStates.Name(m.Status),
                m.StatusAt,
                Error = m.ErrorCode is null ? null : new { Code = m.ErrorCode, Title = m.ErrorTitle },
                m.ReplyToMessageId,
                Statuses = m.Wamid is null ? [] : statuses[(m.ChannelId, m.Wamid)].OrderBy(s => s.Timestamp)
                    .Select(s => new { Status = DeliveryStates.Name(s.Status), s.Timestamp, s.ErrorCode, s.ErrorTitle }).ToList(),
                Reactions = m.Wamid is null ? [] : reactions[(m.ChannelId, m.Wamid)]
                    .Select(r => new { Emoji = OpenOrNull(key, new SealContext(tenantId, Reaction.Table, r.MessageId, nameof(Reaction.Emoji)), r.Emoji!), r.Timestamp }).ToList(),
                Media = mediaByMessage[m.Id].Select(o => new { o.Id, o.Kind, o.MimeType, State = o.State.ToString().ToLowerInvariant(), File = files.GetValueOrDefault(o.Id) }).ToList(),
            }).ToList();
            add($"{folder}/conversations/{conversation.Id}.json", JsonSerializer.SerializeToUtf8Bytes(new
            {
                conversation.Id,
                conversation.Number,
                conversation.ChannelId,
                Status = conversation.Status.ToString().ToLowerInvariant(),
                conversation.CreatedAt,
                conversation.LastMessageAt,
                AssigneeId = conversation.AssignedUserId,
                Messages = thread,
            }, Json));
        }
    }

    private static string? OpenOrNull(DataKey key, SealContext context, byte[] sealedValue) =>
        sealedValue.Length == 0 ? null : Sealer.OpenString(key, context, sealedValue);

    private static JsonNode? ParseOrText(string? content)
    {
        if (content is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(content);
        }
        catch (JsonException)
        {
            return JsonValue.Create(content);
        }
    }

    private static string ExtensionOf(string? mimeType) => mimeType?.Split(';')[0].Trim().ToLowerInvariant() switch
    {
        "image/jpeg" => ".jpg",
        "image/png" => ".png",
        "image/webp" => ".webp",
        "audio/ogg" => ".ogg",
        "audio/mpeg" => ".mp3",
        "audio/aac" => ".aac",
        "audio/mp4" => ".m4a",
        "video/mp4" => ".mp4",
        "video/3gpp" => ".3gp",
        "application/pdf" => ".pdf",
        "text/plain" => ".txt",
        _ => ".bin",
    };
}
