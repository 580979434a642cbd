using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Audit;

/// <summary>
/// Group commit for audit entries that stand alone (an access opened, a change already committed): callers queue
/// their entry and wait for its commit; one writer takes each tenant's chain head once for all entries waiting,
/// in one transaction (ADR 0052). Nobody waits on the head inside a transaction of their own, holding a connection.
/// </summary>
internal sealed class AuditBatcher(IDbContextFactory<SwitchboardDbContext> dbFactory, ILogger<AuditBatcher> logger) : IAsyncDisposable
{
    private const int MaxBatch = 256;
    private readonly Channel<Pending> queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock gate = new();
    private Task? loop;
    private long batches;
    private long entries;

    /// <summary>Transactions written so far, and the entries they carried.</summary>
    public (long Batches, long Entries) Written => (Interlocked.Read(ref batches), Interlocked.Read(ref entries));

    /// <summary>Appends the entry to the tenant's chain; completes when it is committed.</summary>
    public Task AppendAsync(Guid tenantId, AuditDraft draft, CancellationToken ct)
    {
        var pending = new Pending(tenantId, draft, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(pending), this);

        lock (gate)
        {
            loop ??= Task.Run(RunAsync, CancellationToken.None);
        }

        // A caller that gives up stops waiting; its entry is still written, as the access or change it records happened.
        return pending.Done.Task.WaitAsync(ct);
    }

    /// <summary>The batcher of the application the context was made by; none for a context made outside it.</summary>
    public static AuditBatcher? Of(SwitchboardDbContext db) => db.ApplicationService<AuditBatcher>();

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        Task? running;
        lock (gate)
        {
            running = loop;
        }

        if (running is not null)
        {
            await running;
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            await Task.WhenAll(batch.GroupBy(p => p.TenantId).Select(g => WriteAsync(g.Key, [.. g])));
            batch.Clear();
        }
    }

    private async Task WriteAsync(Guid tenantId, List<Pending> items)
    {
        try
        {
            await CommitAsync(tenantId, [.. items.Select(i => i.Draft)]);
            items.ForEach(i => i.Done.TrySetResult());
        }
        catch (Exception batchFailure) when (items.Count > 1)
        {
            // One entry the database refuses must not fail the others: each is tried on its own.
            logger.LogWarning(batchFailure, "An audit batch of {Count} entries for tenant {TenantId} failed; writing them one by one", items.Count, tenantId);
            foreach (var item in items)
            {
                await WriteAsync(tenantId, [item]);
            }
        }
        catch (Exception failure)
        {
            logger.LogError(failure, "An audit entry for tenant {TenantId} could not be written", tenantId);
            items.ForEach(i => i.Done.TrySetException(failure));
        }
    }

    private async Task CommitAsync(Guid tenantId, IReadOnlyList<AuditDraft> drafts)
    {
        await using var db = await dbFactory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await AuditLog.AppendAsync(db, tenantId, drafts, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
        Interlocked.Increment(ref batches);
        Interlocked.Add(ref entries, drafts.Count);
    }

    private sealed record Pending(Guid TenantId, AuditDraft Draft, TaskCompletionSource Done);
}
