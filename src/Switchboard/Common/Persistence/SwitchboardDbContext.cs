using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Switchboard.Common.Crypto;
using Switchboard.Common.Tenancy;

namespace Switchboard.Common.Persistence;

internal sealed class SwitchboardDbContext(DbContextOptions<SwitchboardDbContext> options) : DbContext(options)
{
    /// <summary>
    /// When set, every tenant-owned query is filtered to this tenant. A backstop only: handlers still
    /// load by (TenantId, Id); workers leave it unset and name the tenant explicitly.
    /// </summary>
    public Guid? TenantFilter { get; set; }

    /// <summary>Tenants that got realtime events in the current unit of work (published after commit).</summary>
    public HashSet<Guid> RealtimeTenants { get; } = [];

    /// <summary>
    /// Whether a commit that wrote realtime events waits for them to be numbered (PostgreSQL). Background workers
    /// that answer no caller set it false: their commit only asks for a round (ADR 0053).
    /// </summary>
    public bool WaitsForRealtimeNumbering { get; set; } = true;

    /// <summary>
    /// Run once the current transaction has committed, before its realtime events are numbered, so that wake-ups
    /// (the routing dispatcher's) do not wait for a numbering round (ADR 0053); dropped on rollback.
    /// </summary>
    public List<Action> AfterCommit { get; } = [];

    private readonly Dictionary<Type, object> unitOfWork = [];

    /// <summary>A service of the application the context was made by (contexts come from its factory); null for a context made outside it.</summary>
    public T? ApplicationService<T>()
        where T : class =>
        this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<T>();

    /// <summary>
    /// State a feature keeps for the current unit of work (for example the realtime events waiting for
    /// the commit), one instance per type and context.
    /// </summary>
    public T UnitOfWork<T>()
        where T : class, new()
    {
        if (!unitOfWork.TryGetValue(typeof(T), out var state))
        {
            state = new T();
            unitOfWork[typeof(T)] = state;
        }

        return (T)state;
    }

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<TenantKey> TenantKeys => Set<TenantKey>();

    public DbSet<DataProtectionKeyRecord> DataProtectionKeys => Set<DataProtectionKeyRecord>();

    // A feature's tables are its own: its entities, their IEntityTypeConfiguration classes and its DbSets
    // (extension properties, for example ConversationsTables) live in the feature folder (ADR 0020).

    public bool IsSqlite => Database.ProviderName == "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>
    /// The tracked entries of <typeparamref name="T"/> as they stand, without the DetectChanges over every tracked entity that
    /// <c>ChangeTracker.Entries</c> runs on each call (ADR 0069). Enough for entities added with <c>Add</c>, and for changed ones
    /// right after a DetectChanges of the caller's own.
    /// </summary>
    public List<EntityEntry<T>> TrackedEntries<T>()
        where T : class
    {
        var detects = ChangeTracker.AutoDetectChangesEnabled;
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            return [.. ChangeTracker.Entries<T>()];
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detects;
        }
    }

    /// <summary>
    /// The tracked entries of <typeparamref name="T"/>, each scanned for changes first: what <c>DetectChanges</c> and then
    /// <c>ChangeTracker.Entries</c> give for this type, at the cost of this type's entries instead of every tracked entity's
    /// (ADR 0070). A save's interceptors each ask about one type; <c>SaveChanges</c> still scans everything once.
    /// </summary>
    public List<EntityEntry<T>> DetectedEntries<T>()
        where T : class
    {
        var entries = TrackedEntries<T>();
        foreach (var entry in entries)
        {
            entry.DetectChanges();
        }

        return entries;
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(SwitchboardDbContext).Assembly);
        TenantForeignKeys.Apply(modelBuilder);

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            if (entity.ClrType != typeof(Tenant) && entity.FindProperty(TenantForeignKeys.Property) is { } property && property.ClrType == typeof(Guid))
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
                Expression.Convert(Expression.Property(entity, TenantForeignKeys.Property), typeof(Guid?)),
                filter));
        return Expression.Lambda(body, entity);
    }
}
