using System.Text;

namespace Switchboard.Features.Knowledge;

/// <summary>
/// Turns text into search terms the same way for articles and questions, on both databases (ADR 0034):
/// lower case, accents folded (<c>envío</c> → <c>envio</c>, <c>devolução</c> → <c>devolucao</c>), common
/// English, Spanish and Portuguese words dropped, and a light suffix-stripping stemmer shared by the three
/// languages (<c>refunds</c>, <c>reembolsar</c>, <c>pagamento</c> → <c>refund</c>, <c>reembols</c>, <c>pag</c>).
/// The database indexes these terms with no language of its own (<c>simple</c>, FTS5 <c>unicode61</c>).
/// </summary>
internal static class KnowledgeText
{
    /// <summary>Longest first; a suffix is stripped only when at least three letters stay.</summary>
    private static readonly string[] Suffixes =
    [.. new[]
    {
        "aciones", "iciones", "ations", "amentos", "imentos", "amento", "imento", "ciones", "siones", "mente", "ments",
        "ation", "acion", "acoes", "iendo", "ment", "acao", "cion", "coes", "sion", "soes", "ando", "endo", "indo",
        "ados", "idos", "adas", "idas", "cao", "sao", "ado", "ido", "ada", "ida", "ing", "ies", "ed", "es", "ar", "ir",
        "as", "os", "s", "a", "o", "e", "y",
    }.OrderByDescending(s => s.Length)];

    private const int StemLength = 7;

    /// <summary>Words that say nothing about which article is meant, in the three languages customers write; greetings and thanks too.</summary>
    private static readonly HashSet<string> StopWords = new(
        """
        a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its
        me my no not of on or our so that the their them then there these they this to too was we were what when where
        which who why will with would you your yours am any all just about also get got im ive dont cant want need
        hi hello hey please thanks thank ok okay
        el la los las un una unos unas y o de del al en con por para que es son se su sus mi mis me te tu lo le les como
        cuando donde porque pero si ya muy mas hay esta este esto estoy tengo puedo quiero necesito hola gracias favor
        buenas buenos dias tardes noches
        os as um uma uns umas e da do das dos na no nas nos em com por pelo pela para que sao seu sua meu minha eu
        voce ja muito mais tem estou posso quero preciso ola obrigado obrigada oi bom boa dia tarde noite
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal);

    /// <summary>The text's search terms, space-separated, in order (duplicates kept: they count).</summary>
    public static string Terms(string text) => string.Join(' ', TermsOf(text));

    /// <summary>The distinct terms of a question, for a query.</summary>
    public static IReadOnlyList<string> QueryTerms(string text) => [.. TermsOf(text).Distinct(StringComparer.Ordinal).Take(32)];

    public static IEnumerable<string> TermsOf(string text)
    {
        foreach (var word in Words(text))
        {
            if (!StopWords.Contains(word))
            {
                yield return Stem(word);
            }
        }
    }

    /// <summary>Folded lower-case words (letters and digits).</summary>
    public static IEnumerable<string> Words(string text)
    {
        var folded = Fold(text);
        var start = -1;
        for (var i = 0; i <= folded.Length; i++)
        {
            var inWord = i < folded.Length && char.IsAsciiLetterOrDigit(folded[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                yield return folded[start..i];
                start = -1;
            }
        }
    }

    /// <summary>
    /// Lower case without accents. A table rather than Unicode decomposition: the app runs with
    /// <c>InvariantGlobalization</c>, where <c>string.Normalize</c> leaves non-ASCII letters as they are.
    /// </summary>
    public static string Fold(string text)
    {
        var folded = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var lower = char.ToLowerInvariant(c);
            var at = Accented.IndexOf(lower, StringComparison.Ordinal);
            if (at >= 0)
            {
                folded.Append(Plain[at]);
            }
            else if (lower is 'ß')
            {
                folded.Append("ss");
            }
            else if (lower is 'æ' or 'œ')
            {
                folded.Append(lower == 'æ' ? "ae" : "oe");
            }
            else
            {
                folded.Append(lower);
            }
        }

        return folded.ToString();
    }

    // Latin-1 and Latin Extended-A letters with marks, and what is left of each without them.
    private const string Accented = "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżžªº";
    private const string Plain = "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrsssstttuuuuuuuuuuwyyyzzzao";

    public static string Stem(string word)
    {
        if (word.Length <= 3 || char.IsAsciiDigit(word[0]))
        {
            return word;
        }

        foreach (var suffix in Suffixes)
        {
            if (word.Length - suffix.Length >= 3 && word.EndsWith(suffix, StringComparison.Ordinal))
            {
                word = word[..^suffix.Length];
                break;
            }
        }

        // shipp(ing) → ship, cancell(ation) → cancel.
        if (word.Length >= 4 && word[^1] == word[^2] && !"aeiou".Contains(word[^1], StringComparison.Ordinal))
        {
            word = word[..^1];
        }

        return word.Length > StemLength ? word[..StemLength] : word;
    }
}
