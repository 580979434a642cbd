namespace Switchboard.Features.Assistant;

/// <summary>
/// The word lists of the sentiment model (ADR 0035), written for this product in English, Spanish and Portuguese:
/// each word folded (lower case, no diacritics) with a valence from -3 to +3, plus negators, intensifiers,
/// softeners, contrast words and emoji. Customer-service words (refund, late, broken) carry their usual weight in a complaint.
/// </summary>
internal static class SentimentLexicon
{
    public static readonly IReadOnlyDictionary<string, double> Words = Build(
        // English, positive
        "good 1.5 great 2.5 excellent 3 amazing 3 awesome 3 perfect 2.5 fantastic 3 wonderful 3 brilliant 2.5 nice 1.5 love 2.5 loved 2.5 "
        + "like 1 liked 1 happy 2 glad 2 pleased 2 satisfied 2 delighted 3 thanks 1.5 thank 1.5 thx 1 appreciate 2 appreciated 2 helpful 2 "
        + "kind 1.5 friendly 2 polite 1.5 fast 1 quick 1 quickly 1 easy 1 smooth 1.5 solved 2 resolved 2 fixed 1.5 works 1 working 1 "
        + "worked 1 beautiful 2 delicious 2.5 best 2.5 better 1.5 recommend 2 cool 1.5 super 1.5 fine 0.8 ok 0.3 okay 0.3 well 0.5 "
        + "exactly 0.5 early 1 arrived 0.8 fits 1 yay 2 wow 1.5 impressed 2.5 lovely 2.5 grateful 2 superb 3 outstanding 3 reliable 1.5 "
        + "useful 1.5 professional 1.5 fair 1 "
        // English, negative
        + "bad -2 terrible -3 awful -3 horrible -3 worst -3 worse -2 poor -2 disappointed -2.5 disappointing -2.5 disappointment -2.5 "
        + "unhappy -2 sad -2 angry -3 furious -3 upset -2.5 annoyed -2 annoying -2 frustrated -2.5 frustrating -2.5 frustration -2.5 "
        + "hate -3 hated -3 rude -2.5 slow -1.5 late -1.5 delayed -1.5 delay -1.5 broken -2 damaged -2 defective -2 wrong -1.5 "
        + "useless -2.5 unacceptable -3 ridiculous -2.5 nightmare -3 disaster -3 scam -3 fraud -3 problem -1.5 problems -1.5 issue -1 "
        + "issues -1 complaint -2 complain -2 never -0.5 nobody -1.5 lost -1.5 missing -1.5 crash -2 crashing -2 crashes -2 "
        + "unhelpful -2 confusing -1.5 cold -1 overcharged -2.5 charged -1 twice -0.5 cancel -0.5 refund -1 waiting -0.5 waste -2 "
        + "disgusting -3 fail -2 failed -2 fails -2 error -1 mess -2 shame -2 joke -1.5 sucks -2.5 pathetic -3 incompetent -3 "
        + "dirty -2 expensive -1 stuck -1.5 ignored -2.5 "
        // Spanish, positive
        + "bueno 1.5 buena 1.5 buenisimo 2.5 buenisima 2.5 excelente 3 genial 2.5 perfecto 2.5 perfecta 2.5 fantastico 3 maravilloso 3 "
        + "encanta 2.5 encanto 2.5 gusta 1 gusto 1 feliz 2 contento 2 contenta 2 satisfecho 2 satisfecha 2 gracias 1.5 agradezco 2 "
        + "amable 1.5 amables 1.5 simpatico 2 simpatica 2 rapido 1 rapida 1 rapidamente 1 facil 1 resuelto 2 resuelta 2 resolvio 2 "
        + "arreglo 1.5 arreglado 1.5 funciona 1 funcionando 1 rico 2 deliciosa 2.5 delicioso 2.5 mejor 1.5 recomiendo 2 "
        + "bien 1 vale 0.3 llego 0.8 llegado 0.8 queda 0.5 sirve 1 estupendo 2.5 increible 2.5 atento 1.5 atentos 1.5 util 1.5 "
        // Spanish, negative
        + "malo -2 mala -2 mal -1.5 terrible -3 horrible -3 pesimo -3 pesima -3 peor -3 decepcionado -2.5 decepcionada -2.5 decepcion -2.5 "
        + "triste -2 enfadado -3 enfadada -3 enojado -3 enojada -3 molesto -2.5 molesta -2.5 frustracion -2.5 frustrado -2.5 frustrada -2.5 "
        + "odio -3 grosero -2.5 grosera -2.5 lento -1.5 lenta -1.5 retraso -1.5 atrasado -1.5 roto -2 rota -2 danado -2 danados -2 "
        + "danada -2 danadas -2 defectuoso -2 inaceptable -3 ridiculo -2.5 desastre -3 estafa -3 fraude -3 problema -1.5 problemas -1.5 "
        + "queja -2 reclamo -2 nunca -0.5 nadie -1.5 perdieron -1.5 perdido -1.5 fria -1 frio -1 verguenza -2.5 confusa -1.5 confuso -1.5 "
        + "caro -1 harto -2.5 harta -2.5 fatal -3 cobraron -1 reembolso -1 "
        // Portuguese, positive
        + "bom 1.5 boa 1.5 otimo 2.5 otima 2.5 excelente 3 maravilhoso 3 perfeito 2.5 perfeita 2.5 adorei 2.5 adoro 2.5 amei 3 gostei 1.5 "
        + "gosto 1 feliz 2 contente 2 satisfeito 2 satisfeita 2 obrigado 1.5 obrigada 1.5 valeu 1.5 agradeco 2 simpatico 2 atencioso 1.5 "
        + "atenciosos 1.5 atenciosa 1.5 rapida 1 rapido 1 facil 1 resolvido 2 resolvida 2 resolveu 2 funciona 1 funcionando 1 "
        + "deliciosa 2.5 delicioso 2.5 melhor 1.5 recomendo 2 legal 1.5 incriveis 2.5 incrivel 2.5 beleza 1 chegou 0.8 ficou 0.3 serve 1 "
        + "show 1.5 top 1.5 util 1.5 "
        // Portuguese, negative
        + "ruim -2 pessimo -3 pessima -3 pior -3 horrivel -3 decepcionado -2.5 decepcionada -2.5 decepcao -2.5 triste -2 irritado -3 "
        + "irritada -3 chateado -2.5 chateada -2.5 bravo -2 brava -2 frustracao -2.5 frustrado -2.5 frustrada -2.5 odeio -3 grosseiro -2.5 "
        + "grosseira -2.5 lento -1.5 lenta -1.5 atraso -1.5 atrasado -1.5 atrasada -1.5 quebrado -2 quebrada -2 danificado -2 danificados -2 "
        + "danificada -2 defeito -2 inaceitavel -3 ridiculo -2.5 desastre -3 golpe -2 fraude -3 problema -1.5 problemas -1.5 reclamacao -2 "
        + "ninguem -1.5 perderam -1.5 perdido -1.5 vergonha -2.5 confuso -1.5 confusa -1.5 caro -1 errada -1.5 errado -1.5 absurdo -2.5 "
        + "cobraram -1 reembolso -1 cansado -1.5 cansada -1.5 "
        // Shared (pt, es)
        + "gracias 1.5 odio -3");

    /// <summary>Words that turn the next few words' valence (don't, no, nunca, não, nem, sin, sem…).</summary>
    public static readonly IReadOnlySet<string> Negators = new HashSet<string>(StringComparer.Ordinal)
    {
        "not", "no", "never", "nothing", "without", "nor", "cannot", "neither",
        "nunca", "jamas", "tampoco", "ni", "sin", "nada", "nao", "nem", "jamais", "sem",
    };

    /// <summary>Words that make the next sentiment word stronger (very, muy, muito…).</summary>
    public static readonly IReadOnlySet<string> Intensifiers = new HashSet<string>(StringComparer.Ordinal)
    {
        "very", "really", "so", "extremely", "totally", "completely", "absolutely", "incredibly", "too", "super", "truly", "highly", "much",
        "muy", "tan", "demasiado", "totalmente", "completamente", "realmente", "sumamente", "bastante", "nada",
        "muito", "tao", "demais", "bem", "totalmente", "extremamente", "realmente", "mesmo",
    };

    /// <summary>Words that make the next sentiment word weaker (a bit, poco, meio…).</summary>
    public static readonly IReadOnlySet<string> Softeners = new HashSet<string>(StringComparer.Ordinal)
    {
        "slightly", "somewhat", "kinda", "bit", "little", "fairly", "poco", "algo", "pouco", "meio", "razoavelmente",
    };

    /// <summary>Words after which a clause counts more than the one before (but, pero, mas, porém…).</summary>
    public static readonly IReadOnlySet<string> Contrasts = new HashSet<string>(StringComparer.Ordinal)
    {
        "but", "however", "though", "although", "pero", "sino", "aunque", "porem", "contudo", "entretanto", "mas",
    };

    /// <summary>"good", "buenas", "boa"… before a time of day make a greeting, which carries no sentiment.</summary>
    public static readonly IReadOnlySet<string> GreetingWords = new HashSet<string>(StringComparer.Ordinal) { "good", "buenos", "buenas", "buen", "bom", "boa", "boas" };

    public static readonly IReadOnlySet<string> TimesOfDay = new HashSet<string>(StringComparer.Ordinal)
    {
        "morning", "afternoon", "evening", "night", "day", "dias", "tardes", "noches", "dia", "tarde", "noite", "noites",
    };

    public static readonly IReadOnlyDictionary<string, double> Emoji = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["😊"] = 2,
        ["🙂"] = 1,
        ["😀"] = 2,
        ["😃"] = 2,
        ["😄"] = 2,
        ["😁"] = 2,
        ["😍"] = 3,
        ["🥰"] = 3,
        ["❤"] = 3,
        ["💙"] = 2.5,
        ["💚"] = 2.5,
        ["👍"] = 2,
        ["👏"] = 2,
        ["🙏"] = 1,
        ["🎉"] = 2,
        ["💯"] = 2,
        ["✅"] = 1,
        ["😂"] = 1,
        ["🤩"] = 3,
        ["😎"] = 1.5,
        ["🥳"] = 2.5,
        ["😡"] = -3,
        ["😠"] = -3,
        ["🤬"] = -3,
        ["😤"] = -2,
        ["😞"] = -2,
        ["😔"] = -2,
        ["😢"] = -2,
        ["😭"] = -2.5,
        ["😒"] = -1.5,
        ["🙁"] = -1.5,
        ["☹"] = -2,
        ["👎"] = -2.5,
        ["💩"] = -2.5,
        ["😩"] = -2,
        ["😫"] = -2,
        ["🤦"] = -1.5,
        ["😖"] = -2,
        ["😣"] = -1.5,
    };

    private static Dictionary<string, double> Build(string pairs)
    {
        var words = new Dictionary<string, double>(StringComparer.Ordinal);
        var parts = pairs.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < parts.Length; i += 2)
        {
            words[parts[i]] = double.Parse(parts[i + 1], System.Globalization.CultureInfo.InvariantCulture);
        }

        return words;
    }
}
