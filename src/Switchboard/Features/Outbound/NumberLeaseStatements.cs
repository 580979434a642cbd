using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Outbound;

/// <summary>A number this node asked for and got, and who held it before (null: nobody, or this node).</summary>
internal sealed record TakenNumber(Guid ChannelId, Guid? Previous);

/// <summary>
/// The statements behind <see cref="NumberLeases"/> (ADR 0055). On PostgreSQL leases run on the database's
/// clock, rows are taken with <c>FOR UPDATE SKIP LOCKED</c> (a node never waits for another's lease rows,
/// so nodes cannot deadlock) and new rows are inserted in channel order. SQLite has one process, whose
/// writers take turns, so plain reads and writes on the node's clock do.
/// </summary>
internal static class NumberLeaseStatements
{
    private const string InsertSql = """
        INSERT INTO "NumberLeases" ("TenantId", "ChannelId", "Holder", "Node", "ExpiresAt")
        SELECT w.t, w.c, @holder, @node, now() + @lease FROM unnest(@tenants, @channels) AS w(t, c) ORDER BY w.c
        ON CONFLICT ("TenantId", "ChannelId") DO NOTHING
        RETURNING "ChannelId"
        """;

    private const string TakeSql = """
        WITH free AS (
            SELECT l."TenantId", l."ChannelId", l."Holder" FROM "NumberLeases" l
            JOIN unnest(@tenants, @channels) AS w(t, c) ON l."TenantId" = w.t AND l."ChannelId" = w.c
            WHERE l."Holder" = @holder OR l."ExpiresAt" < now()
            ORDER BY l."ChannelId"
            FOR UPDATE OF l SKIP LOCKED)
        UPDATE "NumberLeases" l SET "Holder" = @holder, "Node" = @node, "ExpiresAt" = now() + @lease
        FROM free WHERE l."TenantId" = free."TenantId" AND l."ChannelId" = free."ChannelId"
        RETURNING l."ChannelId", free."Holder"
        """;

    private const string RenewSql = """
        UPDATE "NumberLeases" l SET "ExpiresAt" = now() + @lease
        FROM unnest(@tenants, @channels) AS w(t, c)
        WHERE l."TenantId" = w.t AND l."ChannelId" = w.c AND l."Holder" = @holder
        RETURNING l."ChannelId"
        """;

    private const string ReleaseSql = """
        UPDATE "NumberLeases" SET "ExpiresAt" = LEAST("ExpiresAt", now() + @gap) WHERE "Holder" = @holder
        """;

    /// <summary>Takes those of the numbers that are free, lapsed or already this holder's.</summary>
    public static async Task<List<TakenNumber>> TakeAsync(
        SwitchboardDbContext db, SqliteWriteGate gate, IReadOnlyList<(Guid TenantId, Guid ChannelId)> numbers, Guid holder, string node, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            var taken = new List<TakenNumber>();
            await using (var insert = await CommandAsync(db, InsertSql, numbers, holder, node, lease, ct))
            await using (var reader = await insert.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    taken.Add(new TakenNumber(reader.GetGuid(0), null));
                }
            }

            await using var take = await CommandAsync(db, TakeSql, numbers, holder, node, lease, ct);
            await using (var reader = await take.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var previous = reader.GetGuid(1);
                    taken.Add(new TakenNumber(reader.GetGuid(0), previous == holder ? null : previous));
                }
            }

            return taken;
        }

        using var turn = await gate.EnterAsync(db, ct);
        var tenants = numbers.Select(n => n.TenantId).Distinct().ToList();
        var channels = numbers.Select(n => n.ChannelId).ToList();
        var rows = await db.NumberLeases.IgnoreQueryFilters()
            .Where(l => EF.Parameter(tenants).Contains(l.TenantId) && EF.Parameter(channels).Contains(l.ChannelId))
            .ToDictionaryAsync(l => l.ChannelId, ct);
        var result = new List<TakenNumber>();
        foreach (var (tenantId, channelId) in numbers)
        {
            if (!rows.TryGetValue(channelId, out var row))
            {
                db.NumberLeases.Add(new NumberLease { TenantId = tenantId, ChannelId = channelId, Holder = holder, Node = node, ExpiresAt = now + lease });
                result.Add(new TakenNumber(channelId, null));
            }
            else if (row.Holder == holder || row.ExpiresAt < now)
            {
                result.Add(new TakenNumber(channelId, row.Holder == holder ? null : row.Holder));
                row.Holder = holder;
                row.Node = node;
                row.ExpiresAt = now + lease;
            }
        }

        await db.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>Extends those of the numbers this holder still holds; returns them.</summary>
    public static async Task<HashSet<Guid>> RenewAsync(
        SwitchboardDbContext db, SqliteWriteGate gate, IReadOnlyList<(Guid TenantId, Guid ChannelId)> numbers, Guid holder, TimeSpan lease, DateTimeOffset now, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            var renewed = new HashSet<Guid>();
            await using var command = await CommandAsync(db, RenewSql, numbers, holder, "", lease, ct);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                renewed.Add(reader.GetGuid(0));
            }

            return renewed;
        }

        using var turn = await gate.EnterAsync(db, ct);
        var tenants = numbers.Select(n => n.TenantId).Distinct().ToList();
        var channels = numbers.Select(n => n.ChannelId).ToList();
        var rows = await db.NumberLeases.IgnoreQueryFilters()
            .Where(l => EF.Parameter(tenants).Contains(l.TenantId) && EF.Parameter(channels).Contains(l.ChannelId) && l.Holder == holder)
            .ToListAsync(ct);
        foreach (var row in rows)
        {
            row.ExpiresAt = now + lease;
        }

        await db.SaveChangesAsync(ct);
        return [.. rows.Select(r => r.ChannelId)];
    }

    /// <summary>Lets every lease of this holder lapse <paramref name="gap"/> from now (it sends no more).</summary>
    public static async Task ReleaseAsync(SwitchboardDbContext db, SqliteWriteGate gate, Guid holder, TimeSpan gap, DateTimeOffset now, CancellationToken ct)
    {
        if (!db.IsSqlite)
        {
            await db.Database.ExecuteSqlRawAsync(ReleaseSql, [new NpgsqlParameter<Guid>("holder", holder), new NpgsqlParameter<TimeSpan>("gap", gap)], ct);
            return;
        }

        using var turn = await gate.EnterAsync(db, ct);
        var until = now + gap;
        await db.NumberLeases.IgnoreQueryFilters().Where(l => l.Holder == holder && l.ExpiresAt > until)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until), ct);
    }

    private static async Task<DbCommand> CommandAsync(
        SwitchboardDbContext db, string sql, IReadOnlyList<(Guid TenantId, Guid ChannelId)> numbers, Guid holder, string node, TimeSpan lease, CancellationToken ct)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("tenants", [.. numbers.Select(n => n.TenantId)]));
        command.Parameters.Add(new NpgsqlParameter<Guid[]>("channels", [.. numbers.Select(n => n.ChannelId)]));
        command.Parameters.Add(new NpgsqlParameter<Guid>("holder", holder));
        command.Parameters.Add(new NpgsqlParameter<string>("node", node));
        command.Parameters.Add(new NpgsqlParameter<TimeSpan>("lease", lease));
        return command;
    }
}
