using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;

namespace Switchboard.Dashboard.Inbox;

/// <summary>Message text with its http(s) links clickable; everything else stays text (Blazor encodes it).</summary>
internal static partial class TextLinks
{
    public static RenderFragment Render(string? text) => builder =>
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        // Sequence numbers are source positions, the same on every turn of the loop (as Razor writes them).
        var position = 0;
        foreach (Match match in Url().Matches(text))
        {
            builder.AddContent(0, text[position..match.Index]);
            builder.OpenElement(1, "a");
            builder.AddAttribute(2, "href", match.Value);
            builder.AddAttribute(3, "target", "_blank");
            builder.AddAttribute(4, "rel", "noopener noreferrer nofollow");
            builder.AddContent(5, match.Value);
            builder.CloseElement();
            position = match.Index + match.Length;
        }

        builder.AddContent(6, text[position..]);
    };

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Url();
}
