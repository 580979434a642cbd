using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Conversations;

/// <summary>
/// An end customer of a tenant. Everything that identifies the person is sealed with the contact's own
/// data key, which is wrapped by the tenant key; destroying <see cref="DataKey"/> crypto-erases the person.
/// Lookups go through keyed blind indexes, never through the clear value.
/// </summary>
internal sealed class Contact
{
    public const string Table = "Contacts";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    /// <summary>Blind index of the WhatsApp id (the phone number in international form, digits only).</summary>
    public byte[]? WaIdIndex { get; set; }

    /// <summary>Blind index of the business-scoped user id (BSUID), for users who hide their number.</summary>
    public byte[]? UserIdIndex { get; set; }

    public byte[]? WaId { get; set; }

    public byte[]? UserId { get; set; }

    public byte[]? ProfileName { get; set; }

    /// <summary>The name an agent gave the contact, sealed; shown instead of the WhatsApp profile name, which webhooks keep updating.</summary>
    public byte[]? DisplayName { get; set; }

    /// <summary>The tenant-defined attribute values as a JSON object, sealed.</summary>
    public byte[]? Attributes { get; set; }

    /// <summary>The contact's data key wrapped by the tenant data key; null once erased.</summary>
    public byte[]? DataKey { get; set; }

    public int DataKeyTenantVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ErasedAt { get; set; }

    /// <summary>After Meta's pair rate limit (131056), no message goes to this customer before this time.</summary>
    public DateTimeOffset? SendBackoffUntil { get; set; }

    /// <summary>How many 131056 answers in a row: the wait grows as 4^level seconds, as Meta suggests.</summary>
    public int SendBackoffLevel { get; set; }
}

internal sealed class ContactConfiguration : IEntityTypeConfiguration<Contact>
{
    public void Configure(EntityTypeBuilder<Contact> builder)
    {
        builder.ToTable(Contact.Table);
        builder.HasKey(c => new { c.TenantId, c.Id });
        builder.Property(c => c.SendBackoffLevel).HasDefaultValue(0);
        builder.HasIndex(c => new { c.TenantId, c.WaIdIndex }).IsUnique();
        builder.HasIndex(c => new { c.TenantId, c.UserIdIndex }).IsUnique();
    }
}
