using System.Text.RegularExpressions;

namespace Switchboard.Features.Workspace;

/// <summary>Fills a canned response's placeholders for one conversation, at the moment an agent inserts it; the result is never stored or logged.</summary>
internal static partial class CannedText
{
    public static string Render(string text, string? contactName, string? agentName) =>
        Placeholder().Replace(text, m => m.Groups[1].Value.ToLowerInvariant() switch
        {
            "contact.name" => contactName ?? "",
            "agent.name" => agentName ?? "",
            _ => m.Value,
        });

    [GeneratedRegex(@"\{\{\s*([A-Za-z]+\.[A-Za-z]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
