using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Crypto;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Mail;

/// <summary>
/// One e-mail waiting to go out. Recipient, subject and body are sealed with the tenant's key (an invite
/// link is a credential); the row is deleted once the relay accepted it, so nothing readable stays behind.
/// </summary>
internal sealed class OutgoingMail
{
    public const string Table = "OutgoingMails";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    /// <summary>What it is (<c>invite</c>, <c>export_ready</c>, …), for counts and logs; never the content.</summary>
    public string Kind { get; set; } = "";

    public byte[] Recipient { get; set; } = [];

    public byte[] Subject { get; set; } = [];

    public byte[] Body { get; set; } = [];

    public MailState State { get; set; } = MailState.Pending;

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public SealContext SealContext(string field) => new(TenantId, Table, Id, field);
}

internal enum MailState
{
    Pending,
    Failed,
}

internal sealed class OutgoingMailConfiguration : IEntityTypeConfiguration<OutgoingMail>
{
    public void Configure(EntityTypeBuilder<OutgoingMail> builder)
    {
        builder.ToTable(OutgoingMail.Table);
        builder.HasKey(m => new { m.TenantId, m.Id });
        builder.Property(m => m.Kind).HasMaxLength(32);
        builder.Property(m => m.State).HasConversion<LowercaseEnumConverter<MailState>>().HasMaxLength(16);
        builder.Property(m => m.LastError).HasMaxLength(200);
        builder.HasIndex(m => m.NextAttemptAt, "IX_OutgoingMails_Pending").HasFilter("\"State\" = 'pending'");
    }
}
