namespace Switchboard.Common.Jobs;

/// <summary>Wakes a background worker as soon as there is new work, instead of waiting for its next poll.</summary>
internal sealed class WorkSignal : IDisposable
{
    private readonly SemaphoreSlim semaphore = new(0, 1);

    public void Notify()
    {
        if (semaphore.CurrentCount == 0)
        {
            try
            {
                semaphore.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled: one wake-up is enough.
            }
        }
    }

    /// <summary>Waits for a signal or the poll interval, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan pollInterval, CancellationToken ct) => semaphore.WaitAsync(pollInterval, ct);

    public void Dispose() => semaphore.Dispose();
}
