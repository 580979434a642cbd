using System.Globalization;

namespace Switchboard.Bench;

internal enum BenchMode
{
    Ingest,
    Send,
}

internal enum DbProvider
{
    Sqlite,
    Postgres,
}

/// <summary>What to measure and how hard; parsed from the command line by <see cref="Program"/>.</summary>
internal sealed record BenchOptions
{
    public BenchMode Mode { get; init; }

    /// <summary>The running Switchboard under test.</summary>
    public Uri Url { get; init; } = new("http://127.0.0.1:5080");

    public string OperatorKey { get; init; } = "";

    public int Concurrency { get; init; } = 64;

    public int DurationSeconds { get; init; } = 30;

    public int WarmupSeconds { get; init; } = 5;

    /// <summary>Messages per webhook POST (Meta batches up to 1,000 updates in one).</summary>
    public int Batch { get; init; } = 1;

    public int Customers { get; init; } = 1000;

    public DbProvider DbProvider { get; init; } = DbProvider.Sqlite;

    /// <summary>ADO.NET connection string of Switchboard's database; null: no database measurement.</summary>
    public string? Db { get; init; }

    public int Numbers { get; init; } = 10;

    public int RepliesPerNumber { get; init; } = 100;

    public TimeSpan Warmup => TimeSpan.FromSeconds(WarmupSeconds);

    public TimeSpan Duration => TimeSpan.FromSeconds(DurationSeconds);

    /// <summary>The options as a command line, without the operator key and the connection string (they may hold secrets).</summary>
    public string Describe()
    {
        var provider = Db is null ? "" : $" --db-provider {DbProvider.ToString().ToLowerInvariant()}";
        return Mode == BenchMode.Ingest
            ? string.Create(CultureInfo.InvariantCulture, $"ingest --concurrency {Concurrency} --duration {DurationSeconds} --warmup {WarmupSeconds} --batch {Batch} --customers {Customers}{provider}")
            : string.Create(CultureInfo.InvariantCulture, $"send --numbers {Numbers} --replies-per-number {RepliesPerNumber} --concurrency {Concurrency}{provider}");
    }
}
