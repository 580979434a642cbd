using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Conversations;

/// <summary>How far a backfill has come: messages checked of those the tenant had, rows written, messages that could not be opened.</summary>
internal sealed record SearchBackfillProgress(Guid TenantId, long Checked, long Total, long Indexed, long Unreadable, TimeSpan Elapsed)
{
    public double Rate => Elapsed.TotalSeconds > 0 ? Checked / Elapsed.TotalSeconds : 0;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"tenant {TenantId}: {Checked}/{Total} messages checked, {Indexed} indexed, {Unreadable} unreadable ({Rate:0}/s)");
}

/// <summary>
/// Indexes for search the messages that have no search rows yet (stored before the index existed, ADR 0025, 0044).
/// Walks a tenant contact by contact, so that the index's (TenantId, ContactId) key says which messages are done
/// and each contact key is opened once; every chunk commits on its own, so a stopped run loses at most one chunk and
/// the next run only does what is still missing. Erased contacts are skipped: their messages are unreadable.
/// </summary>
internal sealed class SearchBackfill(IDbContextFactory<SwitchboardDbContext> dbFactory, SqliteWriteGate gate, MessageSearchIndex index, ContactKeys contactKeys, TimeProvider clock)
{
    public const int DefaultChunk = 500;

    private static readonly string[] NotIndexed = ["reaction", "system"];

    public async Task<SearchBackfillProgress> RunAsync(Guid tenantId, int chunk, Action<SearchBackfillProgress> progress, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        long total;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            total = await db.Messages.LongCountAsync(m => m.TenantId == tenantId && !NotIndexed.Contains(m.Type), ct);
        }

        var state = new SearchBackfillProgress(tenantId, 0, total, 0, 0, TimeSpan.Zero);
        Guid? afterContact = null;
        while (true)
        {
            List<Contact> contacts;
            await using (var db = await dbFactory.CreateDbContextAsync(ct))
            {
                var query = db.Contacts.AsNoTracking().Where(c => c.TenantId == tenantId);
                if (afterContact is { } after)
                {
                    query = query.Where(c => c.Id.CompareTo(after) > 0);
                }

                contacts = await query.OrderBy(c => c.Id).Take(100).ToListAsync(ct);
            }

            if (contacts.Count == 0)
            {
                break;
            }

            foreach (var contact in contacts)
            {
                afterContact = contact.Id;
                state = await ContactAsync(contact, chunk, state, s => progress(s with { Elapsed = clock.GetElapsedTime(started) }), ct);
            }
        }

        state = state with { Elapsed = clock.GetElapsedTime(started) };
        progress(state);
        return state;
    }

    private async Task<SearchBackfillProgress> ContactAsync(Contact contact, int chunk, SearchBackfillProgress state, Action<SearchBackfillProgress> progress, CancellationToken ct)
    {
        var tenantId = contact.TenantId;
        DataKey? key = null;
        if (contact.DataKey is not null)
        {
            try
            {
                key = await contactKeys.KeyOfAsync(contact, ct);
            }
            catch (CryptographicException)
            {
                // Its key cannot be opened: like an erased contact, nothing of it can be indexed.
            }
        }

        Guid? afterMessage = null;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var query = db.Messages.AsNoTracking().Where(m => m.TenantId == tenantId && m.ContactId == contact.Id && !NotIndexed.Contains(m.Type));
            if (afterMessage is { } after)
            {
                query = query.Where(m => m.Id.CompareTo(after) > 0);
            }

            var messages = await query.OrderBy(m => m.Id).Take(chunk)
                .Select(m => new Message { TenantId = m.TenantId, Id = m.Id, ContactId = m.ContactId, Type = m.Type, Text = m.Text })
                .ToListAsync(ct);
            if (messages.Count == 0)
            {
                return state;
            }

            afterMessage = messages[^1].Id;
            var (indexed, unreadable) = key is null ? (0, messages.Count) : await IndexChunkAsync(db, key, messages, ct);
            state = state with
            {
                Checked = state.Checked + messages.Count,
                Indexed = state.Indexed + indexed,
                Unreadable = state.Unreadable + unreadable,
            };
            progress(state);
        }
    }

    /// <summary>In one transaction: the chunk's messages that still have no rows get theirs; the counts of indexed and unreadable ones.</summary>
    private async Task<(int Indexed, int Unreadable)> IndexChunkAsync(SwitchboardDbContext db, DataKey key, List<Message> messages, CancellationToken ct)
    {
        var tenantId = messages[0].TenantId;
        var contactId = messages[0].ContactId;
        var ids = messages.Select(m => m.Id).ToList();
        using var turn = await gate.EnterAsync(db, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // Read inside the write's transaction (and the SQLite gate): rows a live writer or another run added count as done.
        var done = (await db.MessageSearchTokens.AsNoTracking()
            .Where(r => r.TenantId == tenantId && r.ContactId == contactId && ids.Contains(r.MessageId))
            .Select(r => r.MessageId).Distinct().ToListAsync(ct)).ToHashSet();
        var rows = new List<MessageSearchToken>();
        int indexed = 0, unreadable = 0;
        foreach (var message in messages.Where(m => !done.Contains(m.Id)))
        {
            string text;
            try
            {
                text = Sealer.OpenString(key, message.SealContext(nameof(Message.Text)), message.Text);
            }
            catch (CryptographicException)
            {
                unreadable++;
                continue;
            }

            var messageRows = await index.RowsAsync(message, key, text, ct);
            rows.AddRange(messageRows);
            indexed += messageRows.Count > 0 ? 1 : 0;
        }

        await BulkInsert.InsertAsync(db, rows, ct);
        await transaction.CommitAsync(ct);
        return (indexed, unreadable);
    }
}

/// <summary><c>switchboard search-backfill [--tenant ID]</c>: makes messages stored before the search index findable, printing progress (ADR 0044).</summary>
public static class SearchBackfillCommand
{
    public const string Name = "search-backfill";

    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var (tenants, exitCode) = await TenantArguments.ResolveAsync(services, args, Name, mustExist: true, error);
        if (tenants is null)
        {
            return exitCode;
        }

        var backfill = services.GetRequiredService<SearchBackfill>();
        long indexed = 0;
        for (var i = 0; i < tenants.Count; i++)
        {
            await output.WriteLineAsync($"[{i + 1}/{tenants.Count}] search index of tenant {tenants[i]}");
            var shown = Stopwatch.StartNew();
            var result = await backfill.RunAsync(tenants[i], SearchBackfill.DefaultChunk, p =>
            {
                if (shown.Elapsed >= ReportEvery)
                {
                    shown.Restart();
                    output.WriteLine(p.ToString());
                }
            }, CancellationToken.None);
            await output.WriteLineAsync(result.ToString());
            indexed += result.Indexed;
        }

        await output.WriteLineAsync($"search-backfill: {tenants.Count} tenant(s) done, {indexed} message(s) indexed");
        return 0;
    }
}
