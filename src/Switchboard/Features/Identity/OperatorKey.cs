using System.Security.Cryptography;
using Switchboard.Common.Configuration;
using Switchboard.Common.Crypto;

namespace Switchboard.Features.Identity;

/// <summary>The platform operator's bearer key; only its hash is kept in memory.</summary>
internal sealed class OperatorKey
{
    public const string FileName = "operator.key";
    private readonly byte[]? hash;

    private OperatorKey(string? key) => hash = key is null ? null : ApiTokenSecrets.Hash(key);

    public bool IsConfigured => hash is not null;

    public bool Matches(string presented) =>
        hash is not null && CryptographicOperations.FixedTimeEquals(hash, ApiTokenSecrets.Hash(presented));

    /// <summary>
    /// From configuration; in embedded mode generated once into the data directory and printed to the
    /// console that one time (never to the log).
    /// </summary>
    public static OperatorKey Load(SwitchboardOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.OperatorApiKey))
        {
            return new OperatorKey(options.OperatorApiKey.Trim());
        }

        if (!options.IsEmbedded)
        {
            return new OperatorKey(null);
        }

        var path = Path.Combine(Path.GetFullPath(options.DataDirectory), FileName);
        if (File.Exists(path))
        {
            return new OperatorKey(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(options.DataDirectory);
        var key = ApiTokenSecrets.NewToken();
        CryptoSetup.WriteOwnerOnly(path, key);
        Console.WriteLine($"""

            ==== Switchboard operator API key (shown once; also saved to {path}) ====
            {key}
            ==========================================================================

            """);
        return new OperatorKey(key);
    }
}
