namespace Switchboard.Common.Persistence;

/// <summary>
/// SQLite has one writer at a time, and a writer that finds the database busy sleeps (Microsoft.Data.Sqlite
/// retries every 150 ms, or SQLite's busy handler polls) before it tries again — so the busy background
/// writers (the webhook group commit, the processor, the sender's rounds and outcome writer) would
/// mostly wait on each other's retries. They take turns here instead: first come, first served, woken
/// the moment the previous writer is done. On PostgreSQL it does nothing: writers run side by side.
/// </summary>
internal sealed class SqliteWriteGate : IDisposable
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
