namespace Switchboard.Common.Configuration;

/// <summary>The <c>Switchboard</c> configuration section (see CONTRACT.md for the keys).</summary>
public sealed class SwitchboardOptions
{
    public const string Section = "Switchboard";

    public string DataDirectory { get; set; } = "./data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>The deletion ledger's file (ADR 0038); default <c>deletion-ledger.jsonl</c> in the data directory. Shared by every node.</summary>
    public string? DeletionLedgerPath { get; set; }

    /// <summary>Base64 of 32 random bytes: the key-encryption key. Generated in embedded mode only.</summary>
    public string? MasterKey { get; set; }

    /// <summary>Earlier master keys, kept only until every tenant key has been re-wrapped under <see cref="MasterKey"/>.</summary>
    public IList<string> RetiredMasterKeys { get; init; } = [];

    public string? OperatorApiKey { get; set; }

    /// <summary>
    /// Public base URL of webhook and invite links. Required in production (see <c>SwitchboardEnvironment</c>);
    /// only in development and demo mode do links fall back to the request's own scheme and host.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>The reverse proxies whose <c>X-Forwarded-*</c> headers are believed.</summary>
    public TrustedProxyOptions ForwardedHeaders { get; set; } = new();

    /// <summary>Other origins (scheme://host:port) whose pages may open the event stream, besides this server's own.</summary>
    public IList<string> AllowedOrigins { get; init; } = [];

    public WhatsAppOptions WhatsApp { get; set; } = new();

    /// <summary>
    /// Marks sign-in cookies Secure (HTTPS only). Unset: on, except in the Development and Testing
    /// environments and in demo mode, which run on plain http://127.0.0.1.
    /// </summary>
    public bool? SecureCookies { get; set; }

    public bool IsEmbedded => Database.Provider == DatabaseProvider.Sqlite;

    public MetricsOptions Metrics { get; set; } = new();

    public TelemetryOptions Telemetry { get; set; } = new();
}

/// <summary>The <c>Switchboard:Metrics</c> section: Prometheus text at <c>/metrics</c> for the operator (ADR 0036).</summary>
public sealed class MetricsOptions
{
    public bool Enabled { get; set; }
}

/// <summary>The <c>Switchboard:Telemetry</c> section: traces exported over OTLP when an endpoint is set (ADR 0036).</summary>
public sealed class TelemetryOptions
{
    public Uri? OtlpEndpoint { get; set; }
}

/// <summary>
/// The <c>Switchboard:ForwardedHeaders</c> section: <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c>
/// are applied only when the connection comes from one of these; from any other peer they are ignored.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>Addresses of the proxies (for example <c>10.0.0.5</c>, <c>::1</c>).</summary>
    public IList<string> KnownProxies { get; init; } = [];

    /// <summary>Networks of the proxies in CIDR notation (for example <c>10.0.0.0/8</c>).</summary>
    public IList<string> KnownNetworks { get; init; } = [];
}

public sealed class DatabaseOptions
{
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class WhatsAppOptions
{
    public Uri GraphApiBaseUrl { get; set; } = new("https://graph.facebook.com/v25.0");

    public string? PlatformAppSecret { get; set; }
}
