namespace Switchboard.Hosting;

/// <summary>The <c>Switchboard</c> configuration section (see CONTRACT.md for the keys).</summary>
public sealed class SwitchboardOptions
{
    public const string Section = "Switchboard";

    public string DataDirectory { get; set; } = "./data";

    public DatabaseOptions Database { get; set; } = new();

    /// <summary>Base64 of 32 random bytes: the key-encryption key. Generated in embedded mode only.</summary>
    public string? MasterKey { get; set; }

    /// <summary>Earlier master keys, kept only until every tenant key has been re-wrapped under <see cref="MasterKey"/>.</summary>
    public IList<string> RetiredMasterKeys { get; init; } = [];

    public string? OperatorApiKey { get; set; }

    /// <summary>Public base URL used to build webhook URLs; the request's own host when empty.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Other origins (scheme://host:port) whose pages may open the event stream, besides this server's own.</summary>
    public IList<string> AllowedOrigins { get; init; } = [];

    public WhatsAppOptions WhatsApp { get; set; } = new();

    /// <summary>
    /// Marks sign-in cookies Secure (HTTPS only). Unset: on, except in the Development and Testing
    /// environments and in demo mode, which run on plain http://127.0.0.1.
    /// </summary>
    public bool? SecureCookies { get; set; }

    public bool IsEmbedded => Database.Provider == DatabaseProvider.Sqlite;
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
