using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Analytics;

/// <summary>
/// A team, agent or label a reply was counted in when it was written (ADR 0030): its delivery, read and
/// failure counts follow it there, whatever its conversation's groups become. Ids of the tenant's own
/// groups only; erased with the message.
/// </summary>
internal sealed class ReportReplyGroup
{
    public const string Table = "ReportReplyGroups";

    public Guid TenantId { get; set; }

    public Guid MessageId { get; set; }

    public string Dimension { get; set; } = ReportDimension.Team;

    public Guid DimensionId { get; set; }
}

internal sealed class ReportReplyGroupConfiguration : IEntityTypeConfiguration<ReportReplyGroup>
{
    public void Configure(EntityTypeBuilder<ReportReplyGroup> builder)
    {
        builder.ToTable(ReportReplyGroup.Table);
        builder.HasKey(g => new { g.TenantId, g.MessageId, g.Dimension, g.DimensionId });
        builder.Property(g => g.Dimension).HasMaxLength(8);
        builder.HasOne<Message>().WithMany().HasForeignKey(g => new { g.TenantId, g.MessageId }).OnDelete(DeleteBehavior.Cascade);
    }
}

internal static class ReplyGroups
{
    /// <summary>Records the reply's team, agent and labels in the writer's unit of work.</summary>
    public static void Record(SwitchboardDbContext db, Message reply, ReportGroups groups)
    {
        foreach (var (dimension, id) in groups.All().Where(g => g.Dimension is ReportDimension.Team or ReportDimension.Agent or ReportDimension.Label))
        {
            db.Set<ReportReplyGroup>().Add(new ReportReplyGroup { TenantId = reply.TenantId, MessageId = reply.Id, Dimension = dimension, DimensionId = id });
        }
    }

    /// <summary>The groups a reply's delivery counts in: the tenant, its channel, and the team, agent and labels recorded when it was written.</summary>
    public static ReportGroups Of(Guid tenantId, Guid channelId, IEnumerable<ReportReplyGroup> recorded)
    {
        var rows = recorded.ToList();
        return new ReportGroups(
            tenantId,
            channelId,
            rows.Where(r => r.Dimension == ReportDimension.Team).Select(r => (Guid?)r.DimensionId).FirstOrDefault(),
            rows.Where(r => r.Dimension == ReportDimension.Agent).Select(r => (Guid?)r.DimensionId).FirstOrDefault(),
            [.. rows.Where(r => r.Dimension == ReportDimension.Label).Select(r => r.DimensionId)]);
    }

    public static async Task<ILookup<Guid, ReportReplyGroup>> OfMessagesAsync(SwitchboardDbContext db, IReadOnlyCollection<(Guid TenantId, Guid MessageId)> messages, CancellationToken ct)
    {
        var rows = new List<ReportReplyGroup>();
        foreach (var tenant in messages.GroupBy(m => m.TenantId))
        {
            var ids = tenant.Select(m => m.MessageId).Distinct().ToList();
            rows.AddRange(await db.Set<ReportReplyGroup>().AsNoTracking().Where(g => g.TenantId == tenant.Key && ids.Contains(g.MessageId)).ToListAsync(ct));
        }

        return rows.ToLookup(r => r.MessageId);
    }
}
