using System.Security.Cryptography;
using Switchboard.Common.Configuration;

namespace Switchboard.Common.Crypto;

internal static partial class CryptoSetup
{
    public const string MasterKeyFileName = "master.key";

    public static IServiceCollection AddCrypto(this IServiceCollection services, SwitchboardOptions options)
    {
        services.AddSingleton(sp => LoadMasterKeys(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Switchboard.Crypto")));
        services.AddSingleton<KeyRing>();
        services.AddSingleton<Sealer>();
        services.AddSingleton<BlindIndex>();
        services.AddSingleton<MasterKeyRewrapper>();
        services.AddHostedService(sp => sp.GetRequiredService<MasterKeyRewrapper>());
        return services;
    }

    private static MasterKeyRing LoadMasterKeys(SwitchboardOptions options, ILogger logger)
    {
        var retired = options.RetiredMasterKeys.Select((k, i) => MasterKeyRing.Parse(k, $"Switchboard:RetiredMasterKeys:{i}"));
        if (!string.IsNullOrWhiteSpace(options.MasterKey))
        {
            return new MasterKeyRing(MasterKeyRing.Parse(options.MasterKey, "Switchboard:MasterKey"), retired);
        }

        if (!options.IsEmbedded)
        {
            throw new InvalidOperationException("Switchboard:MasterKey is required outside embedded (SQLite) mode: set it to base64 of 32 random bytes, e.g. `openssl rand -base64 32`.");
        }

        var path = Path.Combine(Path.GetFullPath(options.DataDirectory), MasterKeyFileName);
        byte[] key;
        if (File.Exists(path))
        {
            key = MasterKeyRing.Parse(File.ReadAllText(path), path);
        }
        else
        {
            Directory.CreateDirectory(options.DataDirectory);
            key = RandomNumberGenerator.GetBytes(SealedBox.KeySize);
            WriteOwnerOnly(path, Convert.ToBase64String(key));
            LogGeneratedMasterKey(logger, path);
        }

        LogEmbeddedMasterKey(logger, path);
        return new MasterKeyRing(key, retired);
    }

    internal static void WriteOwnerOnly(string path, string content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var writer = new StreamWriter(stream);
        writer.Write(content);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Generated a new master key at {Path}. Back it up: without it, nothing this instance encrypts can be read.")]
    private static partial void LogGeneratedMasterKey(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded mode: the master key is read from {Path}, next to the data it protects. Set Switchboard:MasterKey from a secret store in production.")]
    private static partial void LogEmbeddedMasterKey(ILogger logger, string path);
}
