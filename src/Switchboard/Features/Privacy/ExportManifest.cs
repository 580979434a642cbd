using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchboard.Features.Privacy;

/// <summary>One file of an export as the manifest lists it.</summary>
internal sealed record ManifestFile(string Path, long Size, string Sha256);

/// <summary>
/// <c>manifest.json</c> of an export (ADR 0026): every other file's path, size and SHA-256, and a signature
/// over the manifest's own compact JSON without its <c>signature</c> member. <see cref="Verify"/> is what
/// the offline <c>verify-export</c> command runs.
/// </summary>
internal static class ExportManifest
{
    public const string FileName = "manifest.json";
    public const string Format = "switchboard-export/1";

    public static JsonObject Unsigned(Guid tenantId, Guid exportId, Guid? contactId, DateTimeOffset createdAt, IEnumerable<ManifestFile> files) => new()
    {
        ["format"] = Format,
        ["tenantId"] = tenantId.ToString(),
        ["exportId"] = exportId.ToString(),
        ["contactId"] = contactId?.ToString(),
        ["createdAt"] = createdAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["files"] = new JsonArray([.. files.OrderBy(f => f.Path, StringComparer.Ordinal).Select(f => (JsonNode)new JsonObject
        {
            ["path"] = f.Path,
            ["size"] = f.Size,
            ["sha256"] = f.Sha256,
        })]),
    };

    /// <summary>The bytes the signature covers.</summary>
    public static byte[] PayloadOf(JsonObject manifest)
    {
        var copy = JsonNode.Parse(manifest.ToJsonString())!.AsObject();
        copy.Remove("signature");
        return Encoding.UTF8.GetBytes(copy.ToJsonString());
    }

    public static void AttachSignature(JsonObject manifest, Guid keyId, byte[] publicKey, byte[] signature) =>
        manifest["signature"] = new JsonObject
        {
            ["algorithm"] = ExportSigningKey.Algorithm,
            ["keyId"] = keyId.ToString(),
            ["publicKey"] = Convert.ToBase64String(publicKey),
            ["value"] = Convert.ToBase64String(signature),
        };

    public static string Sha256Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// Checks an export: the manifest is signed by the key it names (and, when given, that key is
    /// <paramref name="trustedPublicKey"/>), and the archive holds exactly the listed files with their sizes
    /// and hashes, nothing added, removed or changed. Returns the problems found (none: intact).
    /// </summary>
    public static IReadOnlyList<string> Verify(Stream zip, byte[]? trustedPublicKey)
    {
        var problems = new List<string>();
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException)
        {
            return ["not a ZIP archive"];
        }

        using (archive)
        {
            var entries = archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
            foreach (var duplicate in entries.GroupBy(e => e.FullName, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                problems.Add($"{duplicate.Key}: more than once in the archive");
            }

            var manifestEntry = entries.FirstOrDefault(e => e.FullName == FileName);
            if (manifestEntry is null)
            {
                return [.. problems, $"{FileName} is missing"];
            }

            JsonObject manifest;
            try
            {
                using var stream = manifestEntry.Open();
                manifest = JsonNode.Parse(stream)?.AsObject() ?? throw new FormatException();
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException)
            {
                return [.. problems, $"{FileName} is not a JSON object"];
            }

            problems.AddRange(CheckSignature(manifest, trustedPublicKey));
            var listed = ListedFiles(manifest, problems);
            var present = entries.Where(e => e.FullName != FileName).ToDictionary(e => e.FullName, StringComparer.Ordinal);
            foreach (var (path, file) in listed)
            {
                if (!present.TryGetValue(path, out var entry))
                {
                    problems.Add($"{path}: listed in the manifest but missing");
                    continue;
                }

                using var content = new MemoryStream();
                using (var stream = entry.Open())
                {
                    stream.CopyTo(content);
                }

                if (content.Length != file.Size || !string.Equals(Sha256Hex(content.ToArray()), file.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{path}: changed (size or SHA-256 differs from the manifest)");
                }
            }

            problems.AddRange(present.Keys.Where(p => !listed.ContainsKey(p)).Order(StringComparer.Ordinal).Select(p => $"{p}: not listed in the manifest (added)"));
        }

        return problems;
    }

    private static IEnumerable<string> CheckSignature(JsonObject manifest, byte[]? trustedPublicKey)
    {
        if (manifest["format"]?.GetValueKind() != System.Text.Json.JsonValueKind.String || manifest["format"]!.GetValue<string>() != Format)
        {
            return [$"unknown format (expected {Format})"];
        }

        if (manifest["signature"] is not JsonObject signature
            || signature["algorithm"]?.ToString() != ExportSigningKey.Algorithm
            || signature["publicKey"]?.ToString() is not { } publicKeyText
            || signature["value"]?.ToString() is not { } valueText)
        {
            return [$"the manifest is not signed with {ExportSigningKey.Algorithm}"];
        }

        try
        {
            var publicKey = Convert.FromBase64String(publicKeyText);
            if (trustedPublicKey is not null && !CryptographicOperations.FixedTimeEquals(publicKey, trustedPublicKey))
            {
                return ["the manifest is signed by another key than the one given"];
            }

            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(publicKey, out _);
            return ecdsa.VerifyData(PayloadOf(manifest), Convert.FromBase64String(valueText), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                ? []
                : ["the manifest's signature does not match its content"];
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return ["the manifest's public key or signature is malformed"];
        }
    }

    private static Dictionary<string, ManifestFile> ListedFiles(JsonObject manifest, List<string> problems)
    {
        var listed = new Dictionary<string, ManifestFile>(StringComparer.Ordinal);
        if (manifest["files"] is not JsonArray files)
        {
            problems.Add("the manifest lists no files");
            return listed;
        }

        foreach (var node in files)
        {
            if (node is JsonObject entry
                && entry["path"] is JsonValue path && path.TryGetValue<string>(out var pathText)
                && entry["size"] is JsonValue size && size.TryGetValue<long>(out var sizeValue)
                && entry["sha256"] is JsonValue hash && hash.TryGetValue<string>(out var hashText))
            {
                if (!listed.TryAdd(pathText, new ManifestFile(pathText, sizeValue, hashText)))
                {
                    problems.Add($"{pathText}: listed twice");
                }
            }
            else
            {
                problems.Add("the manifest has a malformed file entry");
            }
        }

        return listed;
    }
}
