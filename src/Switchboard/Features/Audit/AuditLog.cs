using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Security;

namespace Switchboard.Features.Audit;

/// <summary>Who did something, as the audit log records it.</summary>
internal sealed record AuditActor(string Id, string? Name, string? IpAddress)
{
    public static readonly AuditActor System = new("system", null, null);

    public static AuditActor From(HttpContext http) => From(http.User, http.Connection.RemoteIpAddress?.ToString());

    public static AuditActor From(ClaimsPrincipal user, string? ip) =>
        new(user.ActorOf(), user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue(SwitchboardClaims.TokenName), ip);
}

/// <summary>
/// Appends to a tenant's hash chain inside the caller's unit of work: the pending changes and the entry
/// commit together or not at all. The chain head row is updated first, which locks it until commit, so
/// entries of one tenant are appended one at a time and the sequence has no gaps.
/// </summary>
internal static class AuditLog
{
    /// <summary>The platform's own chain (operator actions, sign-in failures for unknown accounts).</summary>
    public static readonly Guid PlatformChain = Guid.Empty;

    private static readonly byte[] Genesis = new byte[32];

    /// <summary>
    /// Saves the context's pending changes together with one audit entry, in one transaction. The changes are written
    /// first and the chain's head is locked last, so the lock is held only until the commit; an entry with no
    /// changes beside it and no caller transaction is group-committed with others of its tenant (ADR 0052).
    /// </summary>
    public static async Task RecordAsync(
        SwitchboardDbContext db, Guid tenantId, AuditActor actor, string action, string? target, object? detail, DateTimeOffset now, CancellationToken ct)
    {
        var draft = Draft(actor, action, target, detail, now);
        var owned = db.Database.CurrentTransaction is null;
        if (owned && !db.ChangeTracker.HasChanges() && AuditBatcher.Of(db) is { } batcher)
        {
            await batcher.AppendAsync(tenantId, draft, ct);
            return;
        }

        await using var transaction = owned ? await db.Database.BeginTransactionAsync(ct) : null;
        if (owned)
        {
            await db.SaveChangesAsync(ct);
        }

        await AppendAsync(db, tenantId, [draft], ct);
        await db.SaveChangesAsync(ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>
    /// Adds the entries to the context, linked in order after the head, and moves the head on by all of them in
    /// one step; the caller saves and commits. The head row is updated before it is read, which locks it until commit.
    /// </summary>
    internal static async Task AppendAsync(SwitchboardDbContext db, Guid tenantId, IReadOnlyList<AuditDraft> drafts, CancellationToken ct)
    {
        var keys = AuditKeys.Of(db);
        // Create the head on first use; then take its row lock with an update before reading it.
        var emptyAnchor = keys.Anchor(keys.CurrentId, tenantId, 0, Genesis, 0, null);
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO \"AuditChains\" (\"TenantId\", \"LastSequence\", \"LastHash\", \"Anchor\", \"AnchorKeyId\") VALUES ({Key(db, tenantId)}, {0L}, {Genesis}, {emptyAnchor}, {keys.CurrentId}) ON CONFLICT DO NOTHING", ct);
        var chains = db.Set<AuditChain>().IgnoreQueryFilters();
        long count = drafts.Count;
        await chains.Where(c => c.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSequence, c => c.LastSequence + count), ct);
        var head = await chains.AsNoTracking().SingleAsync(c => c.TenantId == tenantId, ct);

        var before = head.LastSequence - count;
        var previous = head.LastHash;
        for (var i = 0; i < drafts.Count; i++)
        {
            var draft = drafts[i];
            var entry = new AuditEntry
            {
                TenantId = tenantId,
                Sequence = before + 1 + i,
                Id = Guid.CreateVersion7(draft.At),
                At = TruncateToMicroseconds(draft.At),
                Actor = draft.Actor,
                ActorName = draft.ActorName,
                Action = draft.Action,
                Target = draft.Target,
                Detail = draft.Detail,
                IpAddress = draft.IpAddress,
                PreviousHash = previous,
            };
            entry.ActorNameDigest = entry.ActorName is null ? null : keys.Digest(tenantId, "name", entry.ActorName);
            entry.IpAddressDigest = entry.IpAddress is null ? null : keys.Digest(tenantId, "ip", entry.IpAddress);
            entry.Hash = HashOf(entry);
            db.Set<AuditEntry>().Add(entry);
            previous = entry.Hash;
        }

        // The anchor moves on only from a head that was anchored: a head rewritten without the key stays detectable (ADR 0039).
        var last = previous;
        if (keys.IsAnchored(tenantId, before, head.LastHash, head.PrunedThroughSequence, head.PrunedThroughHash, head.AnchorKeyId, head.Anchor))
        {
            var anchor = keys.Anchor(keys.CurrentId, tenantId, head.LastSequence, last, head.PrunedThroughSequence, head.PrunedThroughHash);
            await chains.Where(c => c.TenantId == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastHash, last).SetProperty(c => c.Anchor, anchor).SetProperty(c => c.AnchorKeyId, keys.CurrentId), ct);
        }
        else
        {
            await chains.Where(c => c.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastHash, last), ct);
        }
    }

    /// <summary>
    /// Anchors every head as it stands (ADR 0039), once, when the anchor column is added: chains written before then are
    /// vouched for as they were at the upgrade.
    /// </summary>
    public static async Task AnchorExistingAsync(SwitchboardDbContext db, AuditKeys keys, CancellationToken ct)
    {
        foreach (var head in await db.Set<AuditChain>().IgnoreQueryFilters().Where(c => c.Anchor == null).ToListAsync(ct))
        {
            head.Anchor = keys.Anchor(keys.CurrentId, head.TenantId, head.LastSequence, head.LastHash, head.PrunedThroughSequence, head.PrunedThroughHash);
            head.AnchorKeyId = keys.CurrentId;
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Removes the names and addresses of a person from a chain's entries (every chain when <paramref name="tenantId"/> is null; an account deleted): the entries keep their
    /// keyed digests, which the hash covers, so the chain still verifies (ADR 0039). Entries written before digests existed keep theirs.
    /// </summary>
    public static Task<int> PseudonymiseAsync(SwitchboardDbContext db, Guid? tenantId, string actorId, CancellationToken ct) =>
        db.Set<AuditEntry>().IgnoreQueryFilters()
            .Where(e => (tenantId == null || e.TenantId == tenantId) && e.Actor == actorId && (e.ActorNameDigest != null || e.ActorName == null) && (e.IpAddressDigest != null || e.IpAddress == null))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.ActorName, (string?)null).SetProperty(e => e.IpAddress, (string?)null), ct);

    /// <summary>
    /// Walks the chain in order and returns the first entry whose sequence, link or hash does not
    /// match; a chain whose head records more entries than exist (a cut tail) is broken as well.
    /// </summary>
    public static async Task<AuditVerification> VerifyAsync(SwitchboardDbContext db, Guid tenantId, CancellationToken ct)
    {
        const int Page = 1000;
        var head = await db.Set<AuditChain>().IgnoreQueryFilters().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId, ct);
        var expectedPrevious = head?.PrunedThroughHash ?? Genesis;
        var pruned = head?.PrunedThroughSequence ?? 0;
        var expectedSequence = pruned + 1;
        long checkedCount = 0;
        while (true)
        {
            var from = expectedSequence;
            var page = await db.Set<AuditEntry>().IgnoreQueryFilters().AsNoTracking()
                .Where(e => e.TenantId == tenantId && e.Sequence >= from)
                .OrderBy(e => e.Sequence).Take(Page).ToListAsync(ct);
            foreach (var entry in page)
            {
                if (entry.Sequence != expectedSequence
                    || !CryptographicOperations.FixedTimeEquals(entry.PreviousHash, expectedPrevious)
                    || !CryptographicOperations.FixedTimeEquals(entry.Hash, HashOf(entry)))
                {
                    return new AuditVerification(false, entry.Id, checkedCount, "The entry does not match the chain: it was edited, or an entry before it was removed.");
                }

                expectedPrevious = entry.Hash;
                expectedSequence++;
                checkedCount++;
            }

            if (page.Count < Page)
            {
                break;
            }
        }

        if (head is not null && (head.LastSequence != pruned + checkedCount || !CryptographicOperations.FixedTimeEquals(head.LastHash, expectedPrevious)))
        {
            return new AuditVerification(false, null, checkedCount, $"The chain records {head.LastSequence - pruned} entries but {checkedCount} verify: entries were removed from its end.");
        }

        if (head is null && checkedCount > 0)
        {
            return new AuditVerification(false, null, checkedCount, "The chain has entries but no head: its head was removed.");
        }

        if (head is not null && !AuditKeys.Of(db).IsAnchored(tenantId, head.LastSequence, head.LastHash, head.PrunedThroughSequence, head.PrunedThroughHash, head.AnchorKeyId, head.Anchor))
        {
            return new AuditVerification(false, null, checkedCount,
                "The chain's keyed anchor does not match its head: the chain was rewritten, cut or pruned by someone without the key.");
        }

        return new AuditVerification(true, null, checkedCount, null);
    }

    /// <summary>
    /// Removes up to <paramref name="limit"/> of the oldest entries before <paramref name="before"/>, from the start of the chain (retention), in the
    /// caller's transaction: the head's row lock is taken first, and the hash of the last removed entry becomes the
    /// checkpoint that the first kept entry links to, so the rest still verifies (ADR 0032). Returns the count.
    /// </summary>
    public static async Task<int> PruneAsync(SwitchboardDbContext db, Guid tenantId, DateTimeOffset before, int limit, CancellationToken ct)
    {
        var chains = db.Set<AuditChain>().IgnoreQueryFilters();
        if (await chains.Where(c => c.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastSequence, c => c.LastSequence), ct) == 0)
        {
            return 0;
        }

        var entries = db.Set<AuditEntry>().IgnoreQueryFilters();
        // Only a prefix of the chain goes: the first entry at or after the cutoff ends it, whatever follows.
        var first = await entries.AsNoTracking().Where(e => e.TenantId == tenantId)
            .OrderBy(e => e.Sequence).Take(limit).Select(e => new { e.Sequence, e.At, e.Hash }).ToListAsync(ct);
        var old = first.TakeWhile(e => e.At < before).ToList();
        if (old.Count == 0)
        {
            return 0;
        }

        var last = old[^1];
        var keys = AuditKeys.Of(db);
        var head = await chains.AsNoTracking().SingleAsync(c => c.TenantId == tenantId, ct);
        var removed = await entries.Where(e => e.TenantId == tenantId && e.Sequence <= last.Sequence).ExecuteDeleteAsync(ct);
        await chains.Where(c => c.TenantId == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.PrunedThroughSequence, last.Sequence).SetProperty(c => c.PrunedThroughHash, last.Hash), ct);
        if (keys.IsAnchored(tenantId, head.LastSequence, head.LastHash, head.PrunedThroughSequence, head.PrunedThroughHash, head.AnchorKeyId, head.Anchor))
        {
            var anchor = keys.Anchor(keys.CurrentId, tenantId, head.LastSequence, head.LastHash, last.Sequence, last.Hash);
            await chains.Where(c => c.TenantId == tenantId)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Anchor, anchor).SetProperty(c => c.AnchorKeyId, keys.CurrentId), ct);
        }

        return removed;
    }

    public static byte[] HashOf(AuditEntry e)
    {
        string?[] fields =
        [
            e.TenantId.ToString("D"), e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Id.ToString("D"),
            e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            e.Actor, e.ActorNameDigest is { } name ? "hmac:" + Convert.ToHexStringLower(name) : e.ActorName, e.Action, e.Target, e.Detail,
            e.IpAddressDigest is { } ip ? "hmac:" + Convert.ToHexStringLower(ip) : e.IpAddress,
        ];
        var canonical = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(fields));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(e.PreviousHash);
        sha.AppendData(canonical);
        return sha.GetHashAndReset();
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    private static object Key(SwitchboardDbContext db, Guid id) => db.IsSqlite ? id.ToString().ToUpperInvariant() : id;

    private static DateTimeOffset TruncateToMicroseconds(DateTimeOffset at) =>
        new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];

    /// <summary>The entry as asked for, cut to the columns' lengths.</summary>
    internal static AuditDraft Draft(AuditActor actor, string action, string? target, object? detail, DateTimeOffset now) => new(
        Truncate(actor.Id, 100)!, Truncate(actor.Name, 256), action, Truncate(target, 200),
        detail is null ? null : Truncate(JsonSerializer.Serialize(detail, JsonOptions), 2000), Truncate(actor.IpAddress, 64), now);
}

/// <summary>An audit entry as its writer asks for it, before it has a place in the chain; the detail is already serialised.</summary>
internal sealed record AuditDraft(string Actor, string? ActorName, string Action, string? Target, string? Detail, string? IpAddress, DateTimeOffset At);

internal sealed record AuditVerification(bool Valid, Guid? FirstBrokenEntryId, long CheckedEntries, string? Reason);
