using System.Data.Common;
using System.Globalization;
using System.Net;

namespace Switchboard.Bench;

/// <summary>Entry point: parses <c>&lt;mode&gt; --name value …</c> by hand, runs the benchmark, prints the Markdown report.</summary>
internal static class Program
{
    private const string Usage = """
        Switchboard benchmark: drives a running Switchboard and reports what it takes.

        Usage:
          dotnet run --project bench/Switchboard.Bench -c Release -- ingest [options]
          dotnet run --project bench/Switchboard.Bench -c Release -- send [options]

        Modes:
          ingest  signed webhooks (one fresh tenant and number) from N concurrent workers for a duration:
                  requests/s, events/s, ack latency and errors; processing lag (ack -> message row) read
                  from the database; and the same load against an in-process bare endpoint that only
                  checks the signature (the ceiling)
          send    one open conversation per reply on N numbers, then every reply posted at once: per-number
                  send rate (10 %-90 % of completion) against the configured 80/s, failures by error code.
                  The server must send to a Graph API that answers (e.g. the Cloud API simulator with
                  Simulator__AcceptUnknownNumbers=true)

        Options (both modes):
          --url URL                      Switchboard's base URL                   (http://127.0.0.1:5080)
          --operator-key KEY             its operator API key                     (required)
          --concurrency N                requests in flight                       (64)
          --db-provider sqlite|postgres  Switchboard's database provider          (sqlite)
          --db "CONNECTION STRING"       Switchboard's database, opened read-only (ingest: optional; send: required)
                                         e.g. "Data Source=./data/switchboard.db" or
                                         "Host=127.0.0.1;Port=5432;Username=…;Password=…;Database=…"
        ingest:
          --duration SECONDS             measured period                          (30)
          --warmup SECONDS               unmeasured warm-up before it             (5)
          --batch N                      messages per webhook POST, 1-1000        (1)
          --customers N                  customers the messages come from         (1000)
        send:
          --numbers N                    business numbers (channels)              (10)
          --replies-per-number N         replies (and conversations) per number   (100)

        Progress goes to stderr, the Markdown report (for docs/benchmarks.md) to stdout.
        """;

    private static readonly Dictionary<string, Func<BenchOptions, string, BenchOptions>> Common = new(StringComparer.Ordinal)
    {
        ["url"] = (o, v) => o with { Url = HttpUrl(v) },
        ["operator-key"] = (o, v) => o with { OperatorKey = v },
        ["concurrency"] = (o, v) => o with { Concurrency = Number(v, min: 1) },
        ["db-provider"] = (o, v) => o with { DbProvider = Provider(v) },
        ["db"] = (o, v) => o with { Db = v },
    };

    private static readonly Dictionary<string, Func<BenchOptions, string, BenchOptions>> IngestOnly = new(StringComparer.Ordinal)
    {
        ["duration"] = (o, v) => o with { DurationSeconds = Number(v, min: 1) },
        ["warmup"] = (o, v) => o with { WarmupSeconds = Number(v, min: 0) },
        ["batch"] = (o, v) => o with { Batch = Number(v, min: 1, max: 1000) },
        ["customers"] = (o, v) => o with { Customers = Number(v, min: 1, max: 9_999_999) },
    };

    private static readonly Dictionary<string, Func<BenchOptions, string, BenchOptions>> SendOnly = new(StringComparer.Ordinal)
    {
        ["numbers"] = (o, v) => o with { Numbers = Number(v, min: 1, max: 999) },
        ["replies-per-number"] = (o, v) => o with { RepliesPerNumber = Number(v, min: 1, max: 99_999) },
    };

    public static async Task<int> Main(string[] args)
    {
        if (args is [] or ["help" or "--help" or "-h", ..])
        {
            Console.Out.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        if (Parse(args) is not { } options || !IsComplete(options))
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        try
        {
            using var http = CreateHttpClient(options.Concurrency);
            var report = options.Mode == BenchMode.Ingest
                ? await IngestBenchmark.RunAsync(options, http, cancel.Token)
                : await SendBenchmark.RunAsync(options, http, cancel.Token);
            Progress.Line("");
            Progress.Line("Report (Markdown, for docs/benchmarks.md):");
            Console.Out.WriteLine(report);
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            Progress.Line("Cancelled.");
            return 130;
        }
        catch (Exception ex) when (ex is BenchmarkException or HttpRequestException or DbException)
        {
            Progress.Line($"error: {ex.Message}");
            return 1;
        }
    }

    /// <summary>The options, or null (with the reason on stderr) when the command line is not valid.</summary>
    private static BenchOptions? Parse(string[] args)
    {
        var mode = args[0] switch
        {
            "ingest" => BenchMode.Ingest,
            "send" => BenchMode.Send,
            _ => (BenchMode?)null,
        };
        if (mode is null)
        {
            Console.Error.WriteLine($"error: unknown mode '{args[0]}' (ingest or send).");
            return null;
        }

        var options = new BenchOptions { Mode = mode.Value };
        var own = mode == BenchMode.Ingest ? IngestOnly : SendOnly;
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine($"error: expected an option (--name value), got '{args[i]}'.");
                return null;
            }

            // Both "--name value" and "--name=value".
            var (name, value) = args[i].IndexOf('=', StringComparison.Ordinal) is var eq and > 0
                ? (args[i][2..eq], args[i][(eq + 1)..])
                : (args[i][2..], i + 1 < args.Length ? args[++i] : null);
            if (!Common.TryGetValue(name, out var set) && !own.TryGetValue(name, out set))
            {
                var other = mode == BenchMode.Ingest ? SendOnly : IngestOnly;
                Console.Error.WriteLine(other.ContainsKey(name)
                    ? $"error: --{name} does not apply to {args[0]}."
                    : $"error: unknown option --{name}.");
                return null;
            }

            if (value is null)
            {
                Console.Error.WriteLine($"error: --{name} needs a value.");
                return null;
            }

            try
            {
                options = set(options, value);
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"error: --{name}: {ex.Message}");
                return null;
            }
        }

        return options;
    }

    private static bool IsComplete(BenchOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.OperatorKey))
        {
            Console.Error.WriteLine("error: --operator-key is required (embedded mode writes it to <data directory>/operator.key).");
            return false;
        }

        if (options.Mode == BenchMode.Send && string.IsNullOrWhiteSpace(options.Db))
        {
            Console.Error.WriteLine("error: send measures from the database: --db is required.");
            return false;
        }

        return true;
    }

    private static int Number(string value, int min, int max = int.MaxValue) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException(max == int.MaxValue ? $"expected a whole number ≥ {min}, got '{value}'." : $"expected a whole number from {min} to {max}, got '{value}'.");

    private static Uri HttpUrl(string value) =>
        Uri.TryCreate(value.TrimEnd('/') + "/", UriKind.Absolute, out var url) && url.Scheme is "http" or "https"
            ? url
            : throw new FormatException($"expected an http(s) URL, got '{value}'.");

    private static DbProvider Provider(string value) => value switch
    {
        "sqlite" => DbProvider.Sqlite,
        "postgres" or "postgresql" => DbProvider.Postgres,
        _ => throw new FormatException($"expected sqlite or postgres, got '{value}'."),
    };

    /// <summary>One client for the whole run: a connection pool as large as the concurrency, nothing in the way (no proxy, cookies, decompression).</summary>
    private static HttpClient CreateHttpClient(int concurrency) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = concurrency,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };
}

/// <summary>A benchmark that cannot go on (provisioning refused, conversations never appeared, …): reported without a stack trace.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);

/// <summary>Progress lines go to stderr so that stdout holds only the report.</summary>
internal static class Progress
{
    public static void Line(string text) => Console.Error.WriteLine(text);
}
