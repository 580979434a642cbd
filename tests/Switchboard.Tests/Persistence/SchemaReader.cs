using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Tests.Persistence;

/// <summary>
/// Reads a database's schema back from the catalog as sorted lines (tables, columns with type and
/// nullability, keys, indexes, foreign keys), so two databases can be compared line by line.
/// EF's own bookkeeping tables are left out.
/// </summary>
internal static class SchemaReader
{
    public static async Task<List<string>> ReadAsync(SwitchboardDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        try
        {
            var lines = db.IsSqlite ? await ReadSqliteAsync(connection) : await ReadPostgresAsync(connection);
            return [.. lines.Where(l => !l.Contains("__EFMigrations", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
        }
        finally
        {
            await connection.CloseAsync();
        }
    }

    private static async Task<List<string>> ReadSqliteAsync(DbConnection connection)
    {
        var lines = new List<string>();
        var tables = await QueryAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", r => r.GetString(0));
        foreach (var table in tables)
        {
            lines.Add($"table {table}");
            lines.AddRange(await QueryAsync(connection, $"PRAGMA table_info('{table}')", r =>
                $"column {table}.{r.GetString(1)} {r.GetString(2)} {(r.GetInt64(3) == 1 ? "not null" : "null")} default={r.GetValue(4)} pk={r.GetInt64(5)}"));
            lines.AddRange(await QueryAsync(connection, $"PRAGMA foreign_key_list('{table}')", r =>
                $"fk {table}.{r.GetString(3)} -> {r.GetString(2)}.{r.GetString(4)} on delete {r.GetString(6)}"));
            var indexes = await QueryAsync(connection, $"PRAGMA index_list('{table}')", r => (Name: r.GetString(1), Unique: r.GetInt64(2) == 1, Origin: r.GetString(3)));
            foreach (var index in indexes)
            {
                var columns = await QueryAsync(connection, $"PRAGMA index_info('{index.Name}')", r => r.IsDBNull(2) ? "(expression)" : r.GetString(2));
                var name = index.Origin == "c" ? index.Name : $"({index.Origin})";
                lines.Add($"index {table} {name} unique={index.Unique} ({string.Join(", ", columns)})");
            }
        }

        return lines;
    }

    private static async Task<List<string>> ReadPostgresAsync(DbConnection connection)
    {
        var lines = new List<string>();
        lines.AddRange(await QueryAsync(connection, """
            SELECT table_name, column_name, data_type, coalesce(character_maximum_length, -1), is_nullable, coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'public'
            """, r => $"column {r.GetString(0)}.{r.GetString(1)} {r.GetString(2)}({r.GetInt32(3)}) nullable={r.GetString(4)} default={r.GetString(5)}"));
        lines.AddRange(await QueryAsync(connection, "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
            r => $"index {r.GetString(0)} {r.GetString(1)}: {r.GetString(2)}"));
        lines.AddRange(await QueryAsync(connection, """
            SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'public'::regnamespace
            """, r => $"constraint {r.GetString(0)} {r.GetString(1)}: {r.GetString(2)}"));
        return lines;
    }

    private static async Task<List<T>> QueryAsync<T>(DbConnection connection, string sql, Func<DbDataReader, T> map)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
