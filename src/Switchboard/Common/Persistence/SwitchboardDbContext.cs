using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Crypto;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;
using Switchboard.Features.Media;
using Switchboard.Features.Outbound;
using Switchboard.Features.Tenants;
using Switchboard.Features.Webhooks;

namespace Switchboard.Common.Persistence;

internal sealed class SwitchboardDbContext(DbContextOptions<SwitchboardDbContext> options) : DbContext(options)
{
    /// <summary>
    /// When set, every tenant-owned query is filtered to this tenant. A backstop only: handlers still
    /// load by (TenantId, Id); workers leave it unset and name the tenant explicitly.
    /// </summary>
    public Guid? TenantFilter { get; set; }

    private const string TenantIdColumn = "TenantId";

    /// <summary>Tenants that got realtime events in the current unit of work (published after commit).</summary>
    public HashSet<Guid> RealtimeTenants { get; } = [];

    /// <summary>Realtime events collected in this unit of work, written by RealtimeLog.FlushAsync before the commit.</summary>
    public List<RealtimeEvent> PendingRealtimeEvents { get; } = [];

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<TenantKey> TenantKeys => Set<TenantKey>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<Channel> Channels => Set<Channel>();

    public DbSet<Contact> Contacts => Set<Contact>();

    public DbSet<Conversation> Conversations => Set<Conversation>();

    public DbSet<Message> Messages => Set<Message>();

    public DbSet<StatusUpdate> StatusUpdates => Set<StatusUpdate>();

    public DbSet<Reaction> Reactions => Set<Reaction>();

    public DbSet<MediaObject> MediaObjects => Set<MediaObject>();

    public DbSet<ChannelEvent> ChannelEvents => Set<ChannelEvent>();

    public DbSet<InboxEvent> InboxEvents => Set<InboxEvent>();

    public DbSet<OutboxItem> OutboxItems => Set<OutboxItem>();

    public DbSet<IdempotencyKey> IdempotencyKeys => Set<IdempotencyKey>();

    public DbSet<RealtimeEvent> RealtimeEvents => Set<RealtimeEvent>();

    public DbSet<SwitchboardUser> Users => Set<SwitchboardUser>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Invite> Invites => Set<Invite>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SwitchboardDbContext).Assembly);
        modelBuilder.Entity<Tenant>().ToTable("Tenants");
        modelBuilder.Entity<TenantKey>().ToTable("TenantKeys");
        modelBuilder.Entity<ApiToken>().ToTable("ApiTokens");

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.ClrType != typeof(Tenant) && entity.FindProperty(TenantIdColumn) is { } property && property.ClrType == typeof(Guid))
            {
                entity.SetQueryFilter(TenantFilterFor(entity.ClrType));
            }
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        if (IsSqlite)
        {
            configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcMicrosecondsConverter>();
        }
    }

    private LambdaExpression TenantFilterFor(Type clrType)
    {
        // e => this.TenantFilter == null || e.TenantId == this.TenantFilter.Value
        var entity = Expression.Parameter(clrType, "e");
        var filter = Expression.Property(Expression.Constant(this), nameof(TenantFilter));
        var body = Expression.OrElse(
            Expression.Equal(filter, Expression.Constant(null, typeof(Guid?))),
            Expression.Equal(
                Expression.Convert(Expression.Property(entity, TenantIdColumn), typeof(Guid?)),
                filter));
        return Expression.Lambda(body, entity);
    }
}
