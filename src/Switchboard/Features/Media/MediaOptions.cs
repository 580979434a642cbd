namespace Switchboard.Features.Media;

/// <summary>The <c>Switchboard:Media</c> section.</summary>
internal sealed class MediaOptions
{
    public const string Section = "Switchboard:Media";

    /// <summary>Delay before the second attempt; each later one waits four times longer (capped at 2 h).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxAttempts { get; set; } = 12;
}
