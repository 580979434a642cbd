using System.Text.RegularExpressions;

namespace Switchboard.Features.Channels;

/// <summary>
/// Refuses credentials that cannot be the real thing: this API's own mask (<c>••••3f9a</c>), placeholders
/// copied from docs or forms (<c>…</c>, <c>&lt;app secret&gt;</c>, <c>changeme</c>), and shapes no Meta
/// credential has. One such value stored breaks every webhook (app secret) or every send (access token)
/// after it. The length floors are far below Meta's (app secrets are 32 hex digits, access tokens about 200
/// characters) so that test and demo fakes pass; what they catch is a truncated or typed-over value.
/// </summary>
internal static partial class CredentialRules
{
    public const int MinAppSecretLength = 8;
    public const int MinAccessTokenLength = 12;

    private static readonly HashSet<string> PlaceholderWords =
    [
        "changeme", "placeholder", "secret", "token", "password", "todo", "tbd", "none", "null", "undefined", "redacted", "example", "test",
        "appsecret", "accesstoken", "verifytoken", "yoursecret", "yourtoken", "yourappsecret", "youraccesstoken", "yourverifytoken",
    ];

    /// <summary>Field errors (camelCase JSON names) for the credentials given; absent ones (null) are not checked.</summary>
    public static Dictionary<string, string[]> Check(string? appSecret, string? accessToken, string? verifyToken)
    {
        var errors = new Dictionary<string, string[]>();
        Add(errors, "appSecret", ProblemWith(appSecret, MinAppSecretLength, opaque: true));
        Add(errors, "accessToken", ProblemWith(accessToken, MinAccessTokenLength, opaque: true));

        // A verify token is the tenant's own choice (Meta echoes it back), so only masks, placeholders and control characters are refused.
        Add(errors, "verifyToken", ProblemWith(verifyToken, 1, opaque: false));
        return errors;
    }

    /// <summary>Why this value cannot be a real credential, or null. Opaque ones (Meta's app secret, access token) never hold whitespace.</summary>
    public static string? ProblemWith(string? value, int minLength, bool opaque)
    {
        if (value is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            return "Must not be empty.";
        }

        if (LooksMasked(value))
        {
            return "This is a masked value as Switchboard shows it, not the credential. Paste the full value from Meta.";
        }

        if (IsPlaceholder(value, opaque))
        {
            return "This looks like a placeholder, not a real credential.";
        }

        if (value.Any(char.IsControl))
        {
            return "Must not contain control characters.";
        }

        if (opaque && value.Any(char.IsWhiteSpace))
        {
            return "Must not contain spaces: paste the value exactly as Meta shows it.";
        }

        return value.Length < minLength ? $"Too short to be real: at least {minLength} characters." : null;
    }

    /// <summary>Any mask bullet, a run of mask characters, or the "xxxx-1234" shape.</summary>
    private static bool LooksMasked(string value) => MaskShape().IsMatch(value);

    private static bool IsPlaceholder(string value, bool opaque)
    {
        var trimmed = value.Trim();
        if (trimmed.Contains('…') || (opaque && trimmed.Contains("...", StringComparison.Ordinal)) || Wrapped().IsMatch(trimmed))
        {
            return true;
        }

        // "change-me", "YOUR_APP_SECRET", "xxxxxxxx", "00000000", "---": only the letters and digits decide.
        var letters = string.Concat(trimmed.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();
        return letters.Length == 0 || PlaceholderWords.Contains(letters) || letters.All(c => c == letters[0]);
    }

    [GeneratedRegex(@"[•●∙⋅·]|[*]{3,}|^[xX]{3,}[-_ ]?[0-9A-Za-z]{0,8}$")]
    private static partial Regex MaskShape();

    [GeneratedRegex(@"^(<.*>|\{\{.*\}\}|\$\{.*\}|\[.*\]|%.*%)$", RegexOptions.Singleline)]
    private static partial Regex Wrapped();

    private static void Add(Dictionary<string, string[]> errors, string field, string? problem)
    {
        if (problem is not null)
        {
            errors[field] = [problem];
        }
    }
}
