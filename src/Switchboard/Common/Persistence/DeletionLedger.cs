using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;

namespace Switchboard.Common.Persistence;

/// <summary>
/// The deletion ledger (ADR 0038): an append-only file apart from the database, one JSON line per erase (sequence,
/// time, kind, tenant, subject ids, destroyed key ids), each line's MAC chained to the previous one with a key derived
/// from the master key. Appends take an exclusive file lock and are fsync'd inside the erase's transaction, which also
/// writes the entry's <see cref="AppliedDeletion"/> row.
/// </summary>
internal sealed class DeletionLedger(IOptions<SwitchboardOptions> options, MasterKeyRing masterKeys, TimeProvider clock) : IDeletionRecorder, IDisposable
{
    public const string FileName = "deletion-ledger.jsonl";
    private const string Purpose = "switchboard/deletion-ledger";
    private const string MacMember = ",\"mac\":\"";
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim appends = new(1, 1);

    public string Path { get; } = PathOf(options.Value);

    public static string PathOf(SwitchboardOptions options) =>
        System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(options.DeletionLedgerPath)
            ? System.IO.Path.Combine(options.DataDirectory, FileName)
            : options.DeletionLedgerPath);

    /// <summary>Appends the record (on disk before this returns) and saves its applied row in the caller's unit of work.</summary>
    public async Task RecordAsync(SwitchboardDbContext db, DeletionRecord record, CancellationToken ct)
    {
        var entry = await AppendAsync(record, ct);
        MarkApplied(db, entry, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }

    public static void MarkApplied(SwitchboardDbContext db, DeletionLedgerEntry entry, DateTimeOffset now) =>
        db.Set<AppliedDeletion>().Add(new AppliedDeletion { TenantId = entry.Record.TenantId, Sequence = entry.Sequence, Mac = entry.Mac, AppliedAt = now });

    /// <summary>Sequence numbers and MACs of the entries this database holds the effect of.</summary>
    public static async Task<Dictionary<long, string>> AppliedAsync(SwitchboardDbContext db, CancellationToken ct) =>
        await db.Set<AppliedDeletion>().IgnoreQueryFilters().AsNoTracking().ToDictionaryAsync(a => a.Sequence, a => a.Mac, ct);

    public async Task<DeletionLedgerEntry> AppendAsync(DeletionRecord record, CancellationToken ct)
    {
        await appends.WaitAsync(ct);
        try
        {
            OwnerOnlyFiles.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            await using var file = await OpenLockedAsync(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, ct);
            var (sequence, previous) = LastOf(file);
            var at = clock.GetUtcNow();
            var body = Body(sequence + 1, at, record);
            var mac = Mac(masterKeys.CurrentId, previous, body);
            var line = Encoding.UTF8.GetBytes(body[..^1] + MacMember + mac + "\"}\n");
            file.Seek(0, SeekOrigin.End);
            await file.WriteAsync(line, ct);
            file.Flush(flushToDisk: true);
            return new DeletionLedgerEntry(sequence + 1, at, record, mac);
        }
        finally
        {
            appends.Release();
        }
    }

    /// <summary>Every entry, each checked against its predecessor; a changed, removed, reordered or inserted line throws.</summary>
    public async Task<IReadOnlyList<DeletionLedgerEntry>> ReadVerifiedAsync(CancellationToken ct)
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        byte[] bytes;
        await using (var file = await OpenLockedAsync(FileMode.Open, FileAccess.Read, FileShare.Read, ct))
        {
            bytes = new byte[file.Length];
            await file.ReadExactlyAsync(bytes, ct);
        }

        var text = Encoding.UTF8.GetString(bytes);
        // A last line without its newline was being written when the process died: its erase never committed.
        var complete = text.LastIndexOf('\n') is var end and >= 0 ? text[..(end + 1)] : "";
        var entries = new List<DeletionLedgerEntry>();
        var previous = Genesis;
        var lineNumber = 0;
        foreach (var line in complete.Split('\n', StringSplitOptions.None)[..^1])
        {
            lineNumber++;
            var entry = Parse(line, lineNumber, entries.Count + 1L, previous);
            entries.Add(entry);
            previous = entry.Mac;
        }

        return entries;
    }

    private DeletionLedgerEntry Parse(string line, int lineNumber, long expected, string previous)
    {
        var at = line.LastIndexOf(MacMember, StringComparison.Ordinal);
        if (at < 0 || !line.EndsWith("\"}", StringComparison.Ordinal))
        {
            throw Tampered(lineNumber, "it is not a ledger entry");
        }

        var body = line[..at] + "}";
        var mac = line[(at + MacMember.Length)..^2];
        if (!masterKeys.KnownIds.Any(id => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(id, previous, body)), Encoding.ASCII.GetBytes(mac))))
        {
            throw Tampered(lineNumber, "its MAC does not match (the line, or one before it, was changed, removed or inserted)");
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var sequence = root.GetProperty("seq").GetInt64();
            if (sequence != expected)
            {
                throw Tampered(lineNumber, $"its sequence number is {sequence}, expected {expected}");
            }

            var record = new DeletionRecord(
                root.GetProperty("kind").GetString()!,
                root.GetProperty("tenant").GetGuid(),
                [.. root.GetProperty("subjects").EnumerateArray().Select(s => s.GetGuid())],
                [.. root.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!)]);
            return new DeletionLedgerEntry(sequence, DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture), record, mac);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw Tampered(lineNumber, "it is not a ledger entry");
        }
    }

    private StartupRefusedException Tampered(int line, string why) =>
        new($"The deletion ledger {Path} fails verification at line {line}: {why}. Restore the ledger from its own copy; never edit it by hand (ADR 0038).");

    private static string Body(long sequence, DateTimeOffset at, DeletionRecord record)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", sequence);
            json.WriteString("at", at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("kind", record.Kind);
            json.WriteString("tenant", record.TenantId);
            json.WriteStartArray("subjects");
            foreach (var subject in record.Subjects)
            {
                json.WriteStringValue(subject);
            }

            json.WriteEndArray();
            json.WriteStartArray("keys");
            foreach (var key in record.Keys)
            {
                json.WriteStringValue(key);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static readonly string Genesis = new('0', 64);

    private string Mac(string masterKeyId, string previous, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(masterKeys.DeriveKey(masterKeyId, Purpose), Encoding.UTF8.GetBytes(previous + "\n" + body)));

    /// <summary>The last complete entry's sequence and MAC; a torn last line (a crash mid-append) is cut off first.</summary>
    private static (long Sequence, string Mac) LastOf(FileStream file)
    {
        var length = file.Length;
        if (length == 0)
        {
            return (0, Genesis);
        }

        for (var window = 64 * 1024L; ; window *= 2)
        {
            var start = Math.Max(0, length - window);
            var bytes = new byte[length - start];
            file.Seek(start, SeekOrigin.Begin);
            file.ReadExactly(bytes);
            var text = Encoding.UTF8.GetString(bytes);
            var end = text.LastIndexOf('\n');
            if (end < 0 && start > 0)
            {
                continue;
            }

            if (end < text.Length - 1)
            {
                file.SetLength(start + Encoding.UTF8.GetByteCount(text[..(end + 1)]));
                length = file.Length;
                if (end < 0)
                {
                    return (0, Genesis);
                }
            }

            var begin = text.LastIndexOf('\n', Math.Max(0, end - 1));
            if (begin < 0 && start > 0)
            {
                continue;
            }

            var line = text[(begin + 1)..end];
            var at = line.LastIndexOf(MacMember, StringComparison.Ordinal);
            using var json = JsonDocument.Parse(line[..at] + "}");
            return (json.RootElement.GetProperty("seq").GetInt64(), line[(at + MacMember.Length)..^2]);
        }
    }

    public void Dispose() => appends.Dispose();

    /// <summary>Opens the file under an advisory lock (exclusive to append, shared to read), waiting while another process holds it.</summary>
    private async Task<FileStream> OpenLockedAsync(FileMode mode, FileAccess access, FileShare share, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + LockWait;
        while (true)
        {
            try
            {
                var file = new FileStreamOptions { Mode = mode, Access = access, Share = share };
                if (!OperatingSystem.IsWindows() && mode != FileMode.Open)
                {
                    file.UnixCreateMode = OwnerOnlyFiles.FileMode;
                }

                return new FileStream(Path, file);
            }
            catch (IOException) when (DateTime.UtcNow < deadline && File.Exists(Path))
            {
                await Task.Delay(20, ct);
            }
        }
    }
}
