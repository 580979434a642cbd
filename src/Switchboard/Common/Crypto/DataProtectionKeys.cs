using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Options;
using Switchboard.Common.Persistence;

namespace Switchboard.Common.Crypto;

/// <summary>A Data Protection key ring entry: the key's XML, sealed with the master key.</summary>
internal sealed class DataProtectionKeyRecord
{
    public int Id { get; set; }

    public string FriendlyName { get; set; } = "";

    public string Xml { get; set; } = "";
}

internal sealed class DataProtectionKeyRecordConfiguration : IEntityTypeConfiguration<DataProtectionKeyRecord>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRecord> builder)
    {
        builder.ToTable("DataProtectionKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.FriendlyName).HasMaxLength(200);
    }
}

/// <summary>
/// Keeps ASP.NET Core Data Protection keys (cookies, antiforgery, invite links, sealed user secrets) in
/// the database, so every node of a cluster shares one key ring.
/// </summary>
internal sealed class DatabaseXmlRepository(IDbContextFactory<SwitchboardDbContext> dbFactory) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbFactory.CreateDbContext();
        return db.DataProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dbFactory.CreateDbContext();
        db.DataProtectionKeys.Add(new DataProtectionKeyRecord { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}

/// <summary>Seals each Data Protection key's XML with a key derived from the current master key.</summary>
internal sealed class MasterKeyXmlEncryptor(MasterKeyRing ring) : IXmlEncryptor
{
    public const string Purpose = "switchboard/data-protection-keys";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var key = ring.DeriveKey(ring.CurrentId, Purpose);
        var sealedXml = SealedBox.Seal(key, 1, System.Text.Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting)), "dataprotection"u8);
        var element = new XElement("sealedKey", new XAttribute("masterKeyId", ring.CurrentId), Convert.ToBase64String(sealedXml));
        return new EncryptedXmlInfo(element, typeof(MasterKeyXmlDecryptor));
    }
}

/// <summary>Opens XML sealed by <see cref="MasterKeyXmlEncryptor"/> (with the current or a retired master key).</summary>
internal sealed class MasterKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var ring = services.GetRequiredService<MasterKeyRing>();
        var keyId = (string?)encryptedElement.Attribute("masterKeyId") ?? throw new CryptographicException("The sealed Data Protection key names no master key.");
        if (!ring.KnownIds.Contains(keyId))
        {
            // Another cluster's key, or one sealed by a master key this node was not given: unreadable here,
            // which Data Protection treats as a key it cannot use (never as a crash).
            throw new CryptographicException($"Data Protection key sealed by master key {keyId}, which is not configured.");
        }

        var key = ring.DeriveKey(keyId, MasterKeyXmlEncryptor.Purpose);
        var opened = SealedBox.Open(key, Convert.FromBase64String(encryptedElement.Value), "dataprotection"u8);
        return XElement.Parse(System.Text.Encoding.UTF8.GetString(opened));
    }
}

internal static class DataProtectionSetup
{
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("Switchboard");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(o =>
        {
            o.XmlRepository = new DatabaseXmlRepository(sp.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>());
            o.XmlEncryptor = new MasterKeyXmlEncryptor(sp.GetRequiredService<MasterKeyRing>());
        }));
        return services;
    }
}
