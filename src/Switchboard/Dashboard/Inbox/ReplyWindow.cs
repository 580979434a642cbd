namespace Switchboard.Dashboard.Inbox;

/// <summary>The customer's 24-hour window at a moment: open, closing within the hour, or closed, and how long is left.</summary>
public readonly record struct ReplyWindow(DateTimeOffset? ExpiresAt, DateTimeOffset Now)
{
    /// <summary>Closed, or never opened because the customer has not written.</summary>
    public bool Closed => ExpiresAt is not { } expires || expires <= Now;

    public TimeSpan Left => ExpiresAt is { } expires && expires > Now ? expires - Now : TimeSpan.Zero;

    public bool ClosingSoon => !Closed && Left <= TimeSpan.FromHours(1);

    public string Remaining => Left.TotalHours >= 1 ? $"{(int)Left.TotalHours} h {Left.Minutes} min" : $"{Math.Max(1, (int)Math.Ceiling(Left.TotalMinutes))} min";

    public string Text => ExpiresAt is null
        ? "The customer has not written yet: no reply window."
        : Closed ? "Reply window closed." : $"Reply window: {Remaining} left";

    public string CssClass => Closed ? "closed" : ClosingSoon ? "soon" : "open";
}
