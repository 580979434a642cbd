using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Switchboard.Common.Configuration;
using Switchboard.Common.Realtime;

namespace Switchboard.Common.Persistence;

internal static class PersistenceSetup
{
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration, SwitchboardOptions options)
    {
        var connectionString = ResolveConnectionString(configuration, options);
        if (options.Database.Provider == DatabaseProvider.Sqlite)
        {
            CreateSqliteFileOwnerOnly(connectionString);
        }

        services.AddSingleton<RealtimeHub>();
        // Features add their own interceptors (for example the realtime commit hook) as IInterceptor services.
        services.AddDbContextFactory<SwitchboardDbContext>((sp, db) =>
            Configure(db, options.Database.Provider, connectionString).AddInterceptors(sp.GetServices<IInterceptor>()));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<SwitchboardDbContext>>().CreateDbContext());
        services.AddSingleton<MigrationState>();
        services.AddSingleton<SqliteWriteGate>();
        services.AddSingleton<DeletionLedger>();
        services.AddSingleton<IDeletionRecorder>(sp => sp.GetRequiredService<DeletionLedger>());
        services.AddHostedService<ServerLock>();
        services.AddHostedService<DatabaseMigrator>();
        return services;
    }

    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder db, DatabaseProvider provider, string connectionString)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            db.UseSqlite(connectionString).AddInterceptors(new SqliteBusyTimeout());
        }
        else
        {
            db.UseNpgsql(connectionString);
        }

        // Migrations are written by hand (no design-time package here), so there is no model snapshot to
        // compare with; the schema tests prove on both providers that the migrated schema matches the model.
        return db.ConfigureWarnings(w => w.Ignore(RelationalEventId.PendingModelChangesWarning));
    }

    public static string ResolveConnectionString(IConfiguration configuration, SwitchboardOptions options)
    {
        var configured = configuration.GetConnectionString("Switchboard");
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        if (options.Database.Provider != DatabaseProvider.Sqlite)
        {
            throw new InvalidOperationException("ConnectionStrings:Switchboard is required when Switchboard:Database:Provider is postgres.");
        }

        OwnerOnlyFiles.CreateDirectory(options.DataDirectory);
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(Path.GetFullPath(options.DataDirectory), "switchboard.db"),
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
    }

    /// <summary>The database file (and so its WAL and SHM files) readable by this user only; not for in-memory databases.</summary>
    private static void CreateSqliteFileOwnerOnly(string connectionString)
    {
        var sqlite = new SqliteConnectionStringBuilder(connectionString);
        var path = sqlite.DataSource;
        if (sqlite.Mode is SqliteOpenMode.Memory || string.IsNullOrEmpty(path) || path == ":memory:" || path.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || path.Contains('|', StringComparison.Ordinal))
        {
            return;
        }

        OwnerOnlyFiles.CreateSqliteFile(path);
    }
}
