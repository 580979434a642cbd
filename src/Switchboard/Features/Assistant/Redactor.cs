using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Features.Assistant;

/// <summary>One personal datum found in a text: where it is and what kind (<c>PHONE</c>, <c>EMAIL</c>, <c>CARD</c>, …).</summary>
internal readonly record struct PiiSpan(int Start, int Length, string Type);

/// <summary>
/// Finds personal data in free text before it leaves the process (ADR 0035): phone numbers, e-mail addresses,
/// card numbers (Luhn), IBANs (mod 97), US SSNs, Brazilian CPFs, Spanish DNIs and NIEs, Portuguese NIFs (each with
/// its check), and the contact's own name and attribute values. Numbers that fail their check are left alone.
/// </summary>
internal static partial class PiiDetector
{
    public static IReadOnlyList<PiiSpan> Find(string text, IReadOnlyCollection<string>? names = null, IReadOnlyCollection<string>? attributes = null)
    {
        var found = new List<(PiiSpan Span, int Priority)>();
        Add(found, EmailPattern(), text, "EMAIL", 0, _ => true);
        AddIbans(found, text);
        foreach (Match shape in FormattedCpfPattern().Matches(text))
        {
            found.Add((new PiiSpan(shape.Index, shape.Length, Blocked), 4));
        }
        Add(found, CardPattern(), text, "CARD", 2, IsCard);
        Add(found, SsnPattern(), text, "SSN", 3, IsSsn);
        Add(found, CpfPattern(), text, "CPF", 3, IsCpf);
        Add(found, DniPattern(), text, "DNI", 3, IsDni);
        Add(found, NiePattern(), text, "NIE", 3, IsNie);
        Add(found, NifPattern(), text, "NIF", 4, IsNif);
        Add(found, PhonePattern(), text, "PHONE", 5, IsPhone);
        var folded = Fold(text);
        foreach (var value in attributes ?? [])
        {
            AddTerm(found, folded, value, "ATTRIBUTE", 6);
        }

        foreach (var name in names ?? [])
        {
            AddTerm(found, folded, name, "NAME", 7);
            foreach (var part in name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(p => p.Length >= 3))
            {
                AddTerm(found, folded, part, "NAME", 8);
            }
        }

        // Longest first where spans overlap, then the stronger detector.
        var chosen = new List<PiiSpan>();
        foreach (var (span, _) in found.OrderByDescending(f => f.Span.Length).ThenBy(f => f.Priority))
        {
            if (!chosen.Any(c => span.Start < c.Start + c.Length && c.Start < span.Start + span.Length))
            {
                chosen.Add(span);
            }
        }

        return [.. chosen.Where(c => c.Type != Blocked).OrderBy(c => c.Start)];
    }

    /// <summary>Lower case without diacritics, one character for one, so offsets stay those of the original (no ICU needed).</summary>
    public static string Fold(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lower = char.ToLowerInvariant(c);
            var at = Accented.IndexOf(lower, StringComparison.Ordinal);
            builder.Append(at >= 0 ? Plain[at] : lower);
        }

        return builder.ToString();
    }

    private const string Accented = "áàâãäåāéèêëēíìîïīóòôõöøōúùûüūçñýÿ";
    private const string Plain = "aaaaaaaeeeeeiiiiiooooooouuuuucnyy";

    private static void Add(List<(PiiSpan, int)> found, Regex pattern, string text, string type, int priority, Func<string, bool> check)
    {
        foreach (Match m in pattern.Matches(text))
        {
            var value = m.Value.TrimEnd('.', ' ', '-');
            if (check(value))
            {
                found.Add((new PiiSpan(m.Index, value.Length, type), priority));
            }
        }
    }

    /// <summary>A number shaped like an IBAN or CPF that fails its check: not personal data, and no other detector may take part of it.</summary>
    private const string Blocked = "";

    private static void AddIbans(List<(PiiSpan, int)> found, string text)
    {
        foreach (Match m in IbanPattern().Matches(text))
        {
            var valid = false;
            for (var length = m.Length; length >= 15 && !valid; length--)
            {
                var candidate = m.Value[..length];
                if (!candidate.EndsWith(' ') && IsIban(candidate))
                {
                    found.Add((new PiiSpan(m.Index, length, "IBAN"), 1));
                    valid = true;
                }
            }

            if (!valid && m.Value.Count(char.IsAsciiDigit) >= 12)
            {
                found.Add((new PiiSpan(m.Index, m.Length, Blocked), 4));
            }
        }
    }

    private static void AddTerm(List<(PiiSpan, int)> found, string folded, string term, string type, int priority)
    {
        var needle = Fold(term.Trim());
        if (needle.Length < 3)
        {
            return;
        }

        for (var at = folded.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = folded.IndexOf(needle, at + 1, StringComparison.Ordinal))
        {
            var end = at + needle.Length;
            var wordStart = at == 0 || !char.IsLetterOrDigit(folded[at - 1]);
            var wordEnd = end == folded.Length || !char.IsLetterOrDigit(folded[end]);
            if (wordStart && wordEnd)
            {
                found.Add((new PiiSpan(at, needle.Length, type), priority));
            }
        }
    }

    private static string Digits(string value) => new([.. value.Where(char.IsAsciiDigit)]);

    internal static bool IsCard(string value)
    {
        var digits = Digits(value);
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d = d * 2 > 9 ? (d * 2) - 9 : d * 2;
            }

            sum += d;
        }

        return sum % 10 == 0;
    }

    internal static bool IsIban(string value)
    {
        var compact = value.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        var rearranged = compact[4..] + compact[..4];
        var remainder = 0;
        foreach (var c in rearranged)
        {
            var n = char.IsAsciiDigit(c) ? c - '0' : char.IsAsciiLetterUpper(c) ? c - 'A' + 10 : -1;
            if (n < 0)
            {
                return false;
            }

            remainder = n >= 10 ? ((remainder * 100) + n) % 97 : ((remainder * 10) + n) % 97;
        }

        return remainder == 1;
    }

    private static bool IsSsn(string value)
    {
        var area = int.Parse(value[..3], CultureInfo.InvariantCulture);
        return area is not 0 and not 666 and < 900 && value[4..6] != "00" && value[7..] != "0000";
    }

    internal static bool IsCpf(string value)
    {
        var d = Digits(value);
        if (d.Length != 11 || d.Distinct().Count() == 1)
        {
            return false;
        }

        static int Check(string digits, int count)
        {
            var sum = 0;
            for (var i = 0; i < count; i++)
            {
                sum += (digits[i] - '0') * (count + 1 - i);
            }

            return sum * 10 % 11 % 10;
        }

        return Check(d, 9) == d[9] - '0' && Check(d, 10) == d[10] - '0';
    }

    private const string DniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";

    private static bool IsDni(string value)
    {
        var digits = Digits(value);
        return digits.Length == 8 && char.ToUpperInvariant(value[^1]) == DniLetters[int.Parse(digits, CultureInfo.InvariantCulture) % 23];
    }

    private static bool IsNie(string value)
    {
        var prefix = "XYZ".IndexOf(char.ToUpperInvariant(value[0]), StringComparison.Ordinal);
        var digits = Digits(value);
        return prefix >= 0 && digits.Length == 7
            && char.ToUpperInvariant(value[^1]) == DniLetters[int.Parse(prefix.ToString(CultureInfo.InvariantCulture) + digits, CultureInfo.InvariantCulture) % 23];
    }

    internal static bool IsNif(string value)
    {
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (value[i] - '0') * (9 - i);
        }

        var check = 11 - (sum % 11);
        return (check >= 10 ? 0 : check) == value[8] - '0';
    }

    private static bool IsPhone(string value)
    {
        var digits = Digits(value).Length;
        return value.StartsWith('+') ? digits is >= 8 and <= 15 : digits is >= 9 and <= 15;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b")]
    private static partial Regex IbanPattern();

    [GeneratedRegex(@"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])")]
    private static partial Regex CardPattern();

    [GeneratedRegex(@"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")]
    private static partial Regex SsnPattern();

    [GeneratedRegex(@"(?<![\d.-])(?:\d{3}\.\d{3}\.\d{3}-\d{2}|\d{11})(?![\d-]|\.\d)")]
    private static partial Regex CpfPattern();

    [GeneratedRegex(@"(?<![\d.-])\d{3}\.\d{3}\.\d{3}-\d{2}(?![\d-]|\.\d)")]
    private static partial Regex FormattedCpfPattern();

    [GeneratedRegex(@"(?<![\w-])\d{8}-?[A-Za-z](?![\w-])")]
    private static partial Regex DniPattern();

    [GeneratedRegex(@"(?<![\w-])[XYZxyz]-?\d{7}-?[A-Za-z](?![\w-])")]
    private static partial Regex NiePattern();

    [GeneratedRegex(@"(?<![\w.-])\d{9}(?![\w.-])")]
    private static partial Regex NifPattern();

    [GeneratedRegex(@"(?<![\w+])(?:\+\d|\(\d|\d)[\d ().-]{6,}\d(?![\w])")]
    private static partial Regex PhonePattern();
}

/// <summary>
/// A text with its personal data replaced by typed placeholders (<c>[PHONE_1]</c>); the same value keeps the same
/// placeholder across every text of one request, and <see cref="Restore"/> puts the values back into an answer.
/// </summary>
internal sealed class Redaction(IReadOnlyCollection<string> names, IReadOnlyCollection<string> attributes)
{
    private readonly Dictionary<string, string> placeholderOf = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> valueOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> counters = new(StringComparer.Ordinal);

    public static Redaction None => new([], []);

    public int Count => valueOf.Count;

    public string Apply(string text)
    {
        var spans = PiiDetector.Find(text, names, attributes);
        if (spans.Count == 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var at = 0;
        foreach (var span in spans)
        {
            builder.Append(text, at, span.Start - at);
            var value = text.Substring(span.Start, span.Length);
            var key = $"{span.Type}|{PiiDetector.Fold(value)}";
            if (!placeholderOf.TryGetValue(key, out var placeholder))
            {
                var n = counters[span.Type] = counters.GetValueOrDefault(span.Type) + 1;
                placeholder = $"[{span.Type}_{n.ToString(CultureInfo.InvariantCulture)}]";
                placeholderOf[key] = placeholder;
                valueOf[placeholder] = value;
            }

            builder.Append(placeholder);
            at = span.Start + span.Length;
        }

        builder.Append(text, at, text.Length - at);
        return builder.ToString();
    }

    /// <summary>The answer as the agent sees it: every placeholder this redaction made replaced by its value.</summary>
    public string Restore(string answer)
    {
        foreach (var (placeholder, value) in valueOf)
        {
            answer = answer.Replace(placeholder, value, StringComparison.Ordinal);
        }

        return answer;
    }
}
