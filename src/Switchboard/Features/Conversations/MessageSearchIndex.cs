using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>One search result: the message, its conversation, and a piece of its text around the hit.</summary>
internal sealed record SearchHit(Guid ConversationId, Guid MessageId, Guid ContactId, string Snippet, DateTimeOffset Timestamp, string Direction);

internal sealed record SearchResults(IReadOnlyList<SearchHit> Items, string? NextCursor, IReadOnlyList<string> Tokens);

/// <summary>
/// The message search index without plaintext at rest (ADR 0025). A row per (message, token): a 16-bit
/// bucket of HMAC(tenant index key, token), which narrows a query to about 1/65,536 of the index and
/// by itself cannot tell which word it was, and a proof HMAC(contact search key, token, message id)
/// that only the contact's live key can reproduce. A query reads its buckets newest first and keeps
/// the rows whose proofs its contacts' keys confirm; once a contact is erased, nothing confirms.
/// </summary>
internal sealed class MessageSearchIndex(BlindIndex blindIndex, ContactKeys contactKeys)
{
    public const int MaxQueryTokens = 8;
    private const string BucketKind = "search_token";
    private const int PageSize = 256;
    private const int MaxScanned = 4096;
    private static readonly byte[] SearchKeyInfo = Encoding.UTF8.GetBytes("switchboard/message-search/v1");

    /// <summary>Whether a message of this type carries text worth finding (reactions and system notices do not).</summary>
    public static bool Indexes(string type) => type is not ("reaction" or "system");

    public static async ValueTask<int> BucketAsync(BlindIndex blindIndex, Guid tenantId, string token, CancellationToken ct)
    {
        var hash = await blindIndex.ComputeAsync(tenantId, BucketKind, token, ct);
        return BinaryPrimitives.ReadUInt16BigEndian(hash);
    }

    /// <summary>The contact's search key, derived from its data key: it dies with the contact key.</summary>
    public static byte[] SearchKeyOf(DataKey contactKey) => HKDF.DeriveKey(HashAlgorithmName.SHA256, contactKey.Material, 32, [], SearchKeyInfo);

    public static byte[] Proof(byte[] searchKey, string token, Guid messageId) => HMACSHA256.HashData(searchKey, ProofInput(token, messageId))[..8];

    /// <summary>The same proof through a reused HMAC keyed with the contact's search key.</summary>
    private static byte[] Proof(IncrementalHash searchHmac, string token, Guid messageId)
    {
        searchHmac.AppendData(ProofInput(token, messageId));
        return searchHmac.GetHashAndReset()[..8];
    }

    private static byte[] ProofInput(string token, Guid messageId)
    {
        var token8 = Encoding.UTF8.GetBytes(token);
        var input = new byte[token8.Length + 1 + 16];
        token8.CopyTo(input, 0);
        messageId.TryWriteBytes(input.AsSpan(token8.Length + 1), bigEndian: true, out _);
        return input;
    }

    /// <summary>The index rows of one message's text, under its contact's key.</summary>
    public Task<List<MessageSearchToken>> RowsAsync(Message message, DataKey contactKey, string? text, CancellationToken ct) =>
        RowsAsync(blindIndex, message, contactKey, text, ct);

    /// <summary>The same, for the ledger, which holds the blind index itself.</summary>
    public static async Task<List<MessageSearchToken>> RowsAsync(BlindIndex blindIndex, Message message, DataKey contactKey, string? text, CancellationToken ct)
    {
        var rows = new List<MessageSearchToken>();
        if (!Indexes(message.Type))
        {
            return rows;
        }

        var tokens = SearchText.Tokenize(text);
        if (tokens.Count == 0)
        {
            return rows;
        }

        // One keyed HMAC for the buckets and one for the proofs serve every token of the message.
        using var bucketHmac = await blindIndex.HasherAsync(message.TenantId, BucketKind, ct);
        using var proofHmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, SearchKeyOf(contactKey));
        var seen = new HashSet<(int, string)>();
        foreach (var token in tokens)
        {
            var row = new MessageSearchToken
            {
                TenantId = message.TenantId,
                Bucket = BinaryPrimitives.ReadUInt16BigEndian(bucketHmac.Compute(token)),
                MessageId = message.Id,
                Proof = Proof(proofHmac, token, message.Id),
                ContactId = message.ContactId,
            };
            if (seen.Add((row.Bucket, Convert.ToHexString(row.Proof))))
            {
                rows.Add(row);
            }
        }

        return rows;
    }

    /// <summary>
    /// Messages of the tenant whose text holds every token of <paramref name="query"/>, newest first, from
    /// before <paramref name="cursor"/>. Each hit is opened with its contact's key for its snippet.
    /// </summary>
    public async Task<SearchResults> SearchAsync(SwitchboardDbContext db, Guid tenantId, string query, Guid? cursor, int limit, ConversationVisibility? visible, CancellationToken ct)
    {
        var tokens = SearchText.Tokenize(query).Take(MaxQueryTokens).ToList();
        var buckets = new List<int>(tokens.Count);
        foreach (var token in tokens)
        {
            buckets.Add(await BucketAsync(blindIndex, tenantId, token, ct));
        }

        var keys = new Dictionary<Guid, (DataKey Key, byte[] SearchKey)?>();
        var hits = new List<(Guid MessageId, Guid ContactId)>();
        var before = cursor;
        var scanned = 0;
        var exhausted = false;
        while (hits.Count < limit && scanned < MaxScanned)
        {
            var candidates = await CandidatesAsync(db, tenantId, buckets, before, ct);
            if (candidates.Count == 0)
            {
                exhausted = true;
                break;
            }

            scanned += candidates.Count;
            var ids = candidates.Select(c => c.MessageId).ToList();
            var bucketList = buckets.Distinct().ToList();
            var proofs = (await db.MessageSearchTokens.AsNoTracking()
                    .Where(r => r.TenantId == tenantId && bucketList.Contains(r.Bucket) && ids.Contains(r.MessageId))
                    .Select(r => new { r.MessageId, r.Bucket, r.Proof })
                    .ToListAsync(ct))
                .ToLookup(r => (r.MessageId, r.Bucket), r => r.Proof);
            await LoadKeysAsync(db, tenantId, keys, candidates.Select(c => c.ContactId), ct);
            var shown = visible is null ? null : await ShownAsync(db, tenantId, ids, visible, ct);

            foreach (var (messageId, contactId) in candidates)
            {
                before = messageId;
                if (shown?.Contains(messageId) == false || keys.GetValueOrDefault(contactId) is not { } key)
                {
                    continue;
                }

                var all = true;
                for (var i = 0; i < tokens.Count && all; i++)
                {
                    var expected = Proof(key.SearchKey, tokens[i], messageId);
                    all = proofs[(messageId, buckets[i])].Any(p => p.AsSpan().SequenceEqual(expected));
                }

                if (all)
                {
                    hits.Add((messageId, contactId));
                    if (hits.Count == limit)
                    {
                        break;
                    }
                }
            }

            if (candidates.Count < PageSize && hits.Count < limit)
            {
                exhausted = true;
                break;
            }
        }

        var items = await OpenAsync(db, tenantId, hits, keys, tokens, ct);
        return new SearchResults(items, exhausted || before is null ? null : before.Value.ToString("N"), tokens);
    }

    /// <summary>Of these messages, those in conversations the caller may see (ADR 0022, amendment).</summary>
    private static async Task<HashSet<Guid>> ShownAsync(SwitchboardDbContext db, Guid tenantId, List<Guid> messageIds, ConversationVisibility visible, CancellationToken ct)
    {
        var conversations = db.Set<Conversation>().Where(c => c.TenantId == tenantId).VisibleTo(visible);
        return [.. await db.Set<Message>().AsNoTracking()
            .Where(m => m.TenantId == tenantId && messageIds.Contains(m.Id) && conversations.Any(c => c.Id == m.ConversationId))
            .Select(m => m.Id).ToListAsync(ct)];
    }

    private static async Task<List<(Guid MessageId, Guid ContactId)>> CandidatesAsync(
        SwitchboardDbContext db, Guid tenantId, List<int> buckets, Guid? before, CancellationToken ct)
    {
        var first = buckets[0];
        var query = db.MessageSearchTokens.AsNoTracking().Where(r => r.TenantId == tenantId && r.Bucket == first);
        if (before is { } b)
        {
            query = query.Where(r => r.MessageId.CompareTo(b) < 0);
        }

        foreach (var other in buckets.Skip(1).Where(o => o != first).Distinct())
        {
            query = query.Where(r => db.Set<MessageSearchToken>().Any(o => o.TenantId == tenantId && o.Bucket == other && o.MessageId == r.MessageId));
        }

        var rows = await query.OrderByDescending(r => r.MessageId).Select(r => new { r.MessageId, r.ContactId }).Take(PageSize).ToListAsync(ct);
        var distinct = new List<(Guid, Guid)>(rows.Count);
        foreach (var row in rows)
        {
            if (distinct.Count == 0 || distinct[^1].Item1 != row.MessageId)
            {
                distinct.Add((row.MessageId, row.ContactId));
            }
        }

        return distinct;
    }

    private async Task LoadKeysAsync(SwitchboardDbContext db, Guid tenantId, Dictionary<Guid, (DataKey, byte[])?> keys, IEnumerable<Guid> contactIds, CancellationToken ct)
    {
        var missing = contactIds.Where(id => !keys.ContainsKey(id)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var contacts = await db.Contacts.AsNoTracking().Where(c => c.TenantId == tenantId && missing.Contains(c.Id)).ToListAsync(ct);
        foreach (var id in missing)
        {
            keys[id] = null;
        }

        foreach (var contact in contacts.Where(c => c.DataKey is not null))
        {
            try
            {
                var key = await contactKeys.KeyOfAsync(contact, ct);
                keys[contact.Id] = (key, SearchKeyOf(key));
            }
            catch (CryptographicException)
            {
                // Erased (or its key cannot be opened): none of its messages can be confirmed.
            }
        }
    }

    private static async Task<List<SearchHit>> OpenAsync(
        SwitchboardDbContext db, Guid tenantId, List<(Guid MessageId, Guid ContactId)> hits, Dictionary<Guid, (DataKey Key, byte[] SearchKey)?> keys, List<string> tokens, CancellationToken ct)
    {
        var ids = hits.Select(h => h.MessageId).ToList();
        var messages = await db.Messages.AsNoTracking()
            .Where(m => m.TenantId == tenantId && ids.Contains(m.Id))
            .Select(m => new { m.Id, m.ConversationId, m.ContactId, m.Text, m.Timestamp, m.Direction })
            .ToDictionaryAsync(m => m.Id, ct);
        var items = new List<SearchHit>(hits.Count);
        foreach (var (messageId, contactId) in hits)
        {
            // The message may have moved to another contact (a merge) since it was indexed: its key decides.
            if (!messages.TryGetValue(messageId, out var m) || keys.GetValueOrDefault(m.ContactId) is not { } key)
            {
                continue;
            }

            string text;
            try
            {
                text = Sealer.OpenString(key.Key, new SealContext(tenantId, Message.Table, m.Id, nameof(Message.Text)), m.Text);
            }
            catch (CryptographicException)
            {
                continue;
            }

            items.Add(new SearchHit(m.ConversationId, m.Id, contactId, SearchText.Snippet(text, tokens), m.Timestamp, m.Direction.ToString().ToLowerInvariant()));
        }

        return items;
    }
}
