namespace Switchboard.Common.Persistence;

/// <summary>
/// SQLite has one writer at a time, and a writer that finds the database busy sleeps (Microsoft.Data.Sqlite
/// retries every 150 ms) before it tries again — so two busy background writers, the webhook group
/// commit and the processor, would mostly wait on each other's sleeps. The hot writers of this process
/// take turns here instead (first come, first served, no sleeping). On PostgreSQL it does nothing:
/// writers run side by side.
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
