using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;
using Switchboard.Common.Tenancy;

namespace Switchboard.Features.Conversations;

/// <summary>A custom field the tenant defines for its contacts (a student id, a school); values live sealed on the contact.</summary>
internal sealed class ContactAttributeDefinition
{
    public const string Table = "ContactAttributeDefinitions";

    public Guid TenantId { get; set; }

    /// <summary>The JSON name of the value in <c>attributes</c>: lower case letters, digits and underscores.</summary>
    public string Key { get; set; } = "";

    public string Label { get; set; } = "";

    public ContactAttributeType Type { get; set; }

    /// <summary>The allowed values of a <see cref="ContactAttributeType.List"/>, one per line.</summary>
    public string? Options { get; set; }

    public int Position { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public IReadOnlyList<string> OptionList => Options is null ? [] : Options.Split('\n');
}

internal enum ContactAttributeType
{
    Text,
    Number,
    Date,
    List,
}

/// <summary>A private note an agent wrote about a contact: sealed with the contact's key, so erasing the contact erases it.</summary>
internal sealed class ContactNote
{
    public const string Table = "ContactNotes";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public Guid ContactId { get; set; }

    public Guid? AuthorId { get; set; }

    /// <summary>The author's display name when the note was written (an agent, not the customer).</summary>
    public string AuthorName { get; set; } = "";

    public byte[] Body { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public Common.Crypto.SealContext SealContext() => new(TenantId, Table, Id, nameof(Body));
}

internal sealed class ContactAttributeDefinitionConfiguration : IEntityTypeConfiguration<ContactAttributeDefinition>
{
    public void Configure(EntityTypeBuilder<ContactAttributeDefinition> builder)
    {
        builder.ToTable(ContactAttributeDefinition.Table);
        builder.HasKey(d => new { d.TenantId, d.Key });
        builder.Property(d => d.Key).HasMaxLength(40);
        builder.Property(d => d.Label).HasMaxLength(80);
        builder.Property(d => d.Type).HasConversion<LowercaseEnumConverter<ContactAttributeType>>().HasMaxLength(8);
        builder.Property(d => d.Options).HasMaxLength(4000);
        builder.Ignore(d => d.OptionList);
    }
}

internal sealed class ContactNoteConfiguration : IEntityTypeConfiguration<ContactNote>
{
    public void Configure(EntityTypeBuilder<ContactNote> builder)
    {
        builder.ToTable(ContactNote.Table);
        builder.HasKey(n => new { n.TenantId, n.Id });
        builder.Property(n => n.AuthorName).HasMaxLength(200);
        builder.HasIndex(n => new { n.TenantId, n.ContactId, n.CreatedAt });
    }
}

/// <summary>
/// One token of one message in the search index (ADR 0025): a lossy 16-bit bucket keyed by the tenant, and
/// a proof keyed by the contact's key, so only a live contact key can confirm a match. Its rows carry no foreign
/// key to their tenant: they are derived from stored messages, about ten per message, and the per-row check cost a
/// third of the index's write (ADR 0070).
/// </summary>
[NoTenantForeignKey]
internal sealed class MessageSearchToken
{
    public const string Table = "MessageSearchTokens";

    public Guid TenantId { get; set; }

    public int Bucket { get; set; }

    public Guid MessageId { get; set; }

    public byte[] Proof { get; set; } = [];

    public Guid ContactId { get; set; }
}

internal sealed class MessageSearchTokenConfiguration : IEntityTypeConfiguration<MessageSearchToken>
{
    public void Configure(EntityTypeBuilder<MessageSearchToken> builder)
    {
        builder.ToTable(MessageSearchToken.Table);
        builder.HasKey(t => new { t.TenantId, t.Bucket, t.MessageId, t.Proof });
        builder.Property(t => t.Proof).HasMaxLength(8);
        // By message, not by contact: new rows land at the index's edge (ADR 0073).
        builder.HasIndex(t => new { t.TenantId, t.MessageId });
    }
}

internal static class ContactProfileTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<ContactAttributeDefinition> ContactAttributeDefinitions => db.Set<ContactAttributeDefinition>();

        public DbSet<ContactNote> ContactNotes => db.Set<ContactNote>();

        public DbSet<MessageSearchToken> MessageSearchTokens => db.Set<MessageSearchToken>();
    }
}
