using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Waiting for background work, and a DbContext straight on a test database.</summary>
public static class Eventually
{
    /// <summary>Polls every 100 ms until the probe returns a value, for at most <paramref name="seconds"/>.</summary>
    public static async Task<T> PollAsync<T>(Func<Task<T?>> probe, int seconds = 30)
        where T : class
    {
        for (var i = 0; i < seconds * 10; i++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Condition not reached within {seconds} s.");
    }

    /// <summary>The same for value types (the probe returns null until it is done).</summary>
    public static async Task<T> PollValueAsync<T>(Func<Task<T?>> probe, int seconds = 30)
        where T : struct
    {
        for (var i = 0; i < seconds * 10; i++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"Condition not reached within {seconds} s.");
    }

    internal static SwitchboardDbContext NewDbContext(this TestDatabase database)
    {
        var options = new DbContextOptionsBuilder<SwitchboardDbContext>();
        PersistenceSetup.Configure(options, database.Provider, database.ConnectionString);
        return new SwitchboardDbContext(options.Options);
    }
}
