namespace Switchboard.Features.Privacy;

/// <summary>
/// <c>switchboard verify-export PATH [--public-key KEY]</c>: checks an export offline (ADR 0026). KEY is the
/// tenant's published key (base64 SubjectPublicKeyInfo, or a PEM file); without it the key named in the
/// manifest is used and its fingerprint printed, to compare with <c>GET …/exports/signing-key</c>.
/// Exit 0: intact and correctly signed; 1: not; 2: usage.
/// </summary>
public static class VerifyExportCommand
{
    public const string Name = "verify-export";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        string? path = null;
        string? key = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--public-key" && i + 1 < args.Count)
            {
                key = args[++i];
            }
            else if (path is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                path = args[i];
            }
            else
            {
                return Usage(error);
            }
        }

        if (path is null)
        {
            return Usage(error);
        }

        if (!File.Exists(path))
        {
            error.WriteLine($"verify-export: {path}: no such file");
            return 1;
        }

        byte[]? trusted = null;
        if (key is not null && !TryReadKey(key, out trusted))
        {
            error.WriteLine("verify-export: --public-key is neither base64 nor a PEM file");
            return 2;
        }

        using var zip = File.OpenRead(path);
        var problems = ExportManifest.Verify(zip, trusted);
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                error.WriteLine($"verify-export: {problem}");
            }

            error.WriteLine("verify-export: FAILED");
            return 1;
        }

        output.WriteLine(trusted is null
            ? "verify-export: OK (signed by the key the manifest names; compare it with the tenant's published signing key)"
            : "verify-export: OK (signed by the given key)");
        return 0;
    }

    private static bool TryReadKey(string value, out byte[]? key)
    {
        key = null;
        var text = File.Exists(value) ? File.ReadAllText(value) : value;
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                var pem = System.Security.Cryptography.PemEncoding.Find(text);
                key = Convert.FromBase64String(text[pem.Base64Data]);
            }
            else
            {
                key = Convert.FromBase64String(text.Trim());
            }

            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static int Usage(TextWriter error)
    {
        error.WriteLine("usage: verify-export PATH [--public-key BASE64|PEMFILE]");
        return 2;
    }
}
