namespace Switchboard.Features.Media;

/// <summary>The <c>Switchboard:Media</c> section.</summary>
internal sealed class MediaOptions
{
    public const string Section = "Switchboard:Media";

    /// <summary>Delay before the second attempt; each later one waits four times longer (capped at 2 h).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxAttempts { get; set; } = 12;

    /// <summary>
    /// Where sealed files go (ADR 0056): <c>files</c> (the data directory; one node, or a folder every node mounts) or
    /// <c>database</c> (a table every node reads).
    /// </summary>
    public string Store { get; set; } = "files";

    public static bool IsKnownStore(string store) => store.Trim().ToLowerInvariant() is "files" or "" or "database";

    public MediaStoreKind StoreKind => Store.Trim().ToLowerInvariant() switch
    {
        "files" or "" => MediaStoreKind.Files,
        "database" => MediaStoreKind.Database,
        _ => throw new InvalidOperationException($"Switchboard:Media:Store must be 'files' or 'database', not '{Store}'."),
    };
}

internal enum MediaStoreKind
{
    Files,
    Database,
}
