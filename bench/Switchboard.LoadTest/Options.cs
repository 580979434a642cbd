using System.Globalization;

namespace Switchboard.LoadTest;

/// <summary>Command-line options: <c>--name value</c> pairs after the mode.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values;

    private Options(string mode, Dictionary<string, string> values)
    {
        Mode = mode;
        this.values = values;
    }

    public string Mode { get; }

    public string Url => Get("url", "http://127.0.0.1:5080").TrimEnd('/');

    /// <summary>Several nodes of one Switchboard (ingest): webhook POSTs go to them in turn; the first provisions.</summary>
    public IReadOnlyList<string> Urls => values.TryGetValue("urls", out var urls)
        ? [.. urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => u.TrimEnd('/'))]
        : [Url];

    public string OperatorKey => Get("operator-key", "");

    public int Concurrency => Int("concurrency", 64);

    public TimeSpan Duration => TimeSpan.FromSeconds(Int("duration", 30));

    public TimeSpan Warmup => TimeSpan.FromSeconds(Int("warmup", 5));

    public int Customers => Int("customers", 1000);

    /// <summary>Reuse the tenant saved in this file by an earlier run (ingest), or save the fresh one there.</summary>
    public string? TenantFile => values.GetValueOrDefault("tenant-file");

    /// <summary>Messages per webhook POST (ingest): 1, or more as Meta aggregates them at high volume.</summary>
    public int PerWebhook => Math.Max(1, Int("per-webhook", 1));

    public string DbProvider => Get("db-provider", "sqlite");

    public string? Db => values.GetValueOrDefault("db");

    public int Numbers => Int("numbers", 10);

    public int RepliesPerNumber => Int("replies-per-number", 100);

    public bool SkipCeiling => values.ContainsKey("skip-ceiling");

    /// <summary>The Cloud API simulator's base URL (send mode): rates and 130429s as it counted them.</summary>
    public string? Simulator => values.GetValueOrDefault("simulator");

    public string? DataDir => values.GetValueOrDefault("data-dir");

    public int Rate => Int("rate", 500);

    /// <summary>Ingest at this fixed rate (open loop) instead of as fast as the concurrency allows.</summary>
    public int? FixedRate => values.ContainsKey("rate") ? Rate : null;

    public int Probes => Int("probes", 80);

    public TimeSpan ProbeInterval => TimeSpan.FromMilliseconds(Int("probe-interval-ms", 750));

    public static Options? Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("ingest" or "send" or "inbox" or "routing"))
        {
            return null;
        }

        var values = new Dictionary<string, string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }

            var hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
            values[args[i][2..]] = hasValue ? args[++i] : "true";
        }

        return new Options(args[0], values);
    }

    public override string ToString() => string.Join(" ", values.Where(v => v.Key is not ("operator-key" or "db" or "password")).Select(v => $"--{v.Key} {v.Value}"));

    public string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int IntOr(string name, int fallback) => Int(name, fallback);

    private int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public const string Usage = """
        Switchboard load test — drives a running Switchboard and reports what it can take.

          ingest  signed webhooks at a concurrency for a duration; ack latency, errors and processing lag;
                  plus the same load against a bare signature-checking endpoint (the ceiling)
          send    replies across several numbers (the server must send to the Cloud API simulator);
                  achieved rate per number and Meta errors
          routing teams of agents take new conversations over one simulated hour (PostgreSQL): assignment
                  latency from the acknowledgement, load spread, and every wait while capacity was free
          inbox   a user keeps the dashboard inbox open in headless Chromium while webhooks arrive at a
                  fixed rate; probe messages measure acknowledged → visible in the page

        Options:
          --url http://127.0.0.1:5080     the Switchboard under test
          --urls URL1,URL2,...            several nodes of it (ingest): webhooks go to each in turn
          --operator-key KEY              its operator key (provisions a fresh tenant and numbers)
          --db-provider sqlite|postgres   and --db "<connection string>": where to measure processing lag
          --concurrency 64 --duration 30 --warmup 5 --customers 1000 --skip-ceiling        (ingest)
          --rate N         ingest at N events/s (open loop, at most --concurrency in flight)
          --per-webhook K  K messages per POST, in one change as Meta aggregates them (default 1)
          --tenant-file F  reuse the tenant (and so its customers) an earlier run saved in F, or save it there
          --numbers 10 --replies-per-number 100                                             (send)
          --simulator http://127.0.0.1:5097   the simulator the server sends to: exact per-number rates
                                              from its accept times, its busiest second, 130429 count  (send)
          --rate 500 --customers 1000 --concurrency 64 --warmup 5 --probes 80 --probe-interval-ms 750
          --teams 10 --agents 200 --conversations 10000 --capacity 5 --real-seconds 600
          --handle-minutes 4 --churn-percent 5 --db "<PostgreSQL connection string>"          (routing)
          --view mine|all  --chromium /usr/bin/chromium                                    (inbox)
          --data-dir DIR   a demo-mode server's data directory (its demo tenant, number and users),
                           otherwise --operator-key provisions a tenant; --email/--password sign in
                           (default: an agent invited through the API)
        """;
}
