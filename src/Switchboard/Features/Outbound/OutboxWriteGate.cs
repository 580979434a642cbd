using Switchboard.Common.Persistence;

namespace Switchboard.Features.Outbound;

/// <summary>
/// SQLite takes one writer at a time, and a writer that finds the database busy sleeps 150 ms before it
/// tries again (Microsoft.Data.Sqlite's retry loop), which would stall the paced sends. So the sender's
/// own writers — the claiming round and the <see cref="OutboxWriter"/> — take turns here instead. On
/// PostgreSQL they run side by side.
/// </summary>
internal sealed class OutboxWriteGate : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);

    public async ValueTask<Turn> EnterAsync(SwitchboardDbContext db, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            return default;
        }

        await gate.WaitAsync(ct);
        return new Turn(gate);
    }

    public void Dispose() => gate.Dispose();

    internal readonly struct Turn(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
