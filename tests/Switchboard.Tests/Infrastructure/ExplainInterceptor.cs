using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;
using Switchboard.Common.Configuration;
using Switchboard.Common.Persistence;

namespace Switchboard.Tests.Infrastructure;

/// <summary>Before each query, bulk delete or bulk update runs, asks the database for its plan of the same command with the same parameters (the last one is kept).</summary>
internal sealed class ExplainInterceptor(string prefix) : DbCommandInterceptor
{
    public string Plan { get; private set; } = "";

    /// <summary>A context on <paramref name="database"/> whose every query is explained first, in that database's own words.</summary>
    public static SwitchboardDbContext NewDbContext(TestDatabase database, out ExplainInterceptor explain)
    {
        explain = new ExplainInterceptor(database.Provider == DatabaseProvider.Sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
        var options = new DbContextOptionsBuilder<SwitchboardDbContext>();
        PersistenceSetup.Configure(options, database.Provider, database.ConnectionString).AddInterceptors(explain);
        return new SwitchboardDbContext(options.Options);
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await ExplainAsync(command, cancellationToken);
        return result;
    }

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        // Bulk deletes and updates (ExecuteDelete, ExecuteUpdate); settings and scripts have no plan.
        var text = command.CommandText.AsSpan().TrimStart();
        if (text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase))
        {
            await ExplainAsync(command, cancellationToken);
        }

        return result;
    }

    private async Task ExplainAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var explain = command.Connection!.CreateCommand();
        explain.Transaction = command.Transaction;
        explain.CommandText = prefix + command.CommandText;
        foreach (DbParameter parameter in command.Parameters)
        {
            var copy = explain.CreateParameter();
            copy.ParameterName = parameter.ParameterName;
            if (parameter is NpgsqlParameter { NpgsqlDbType: var type } && copy is NpgsqlParameter typed)
            {
                // Arrays (unnest of keys) need their PostgreSQL type; their DbType says only "object".
                typed.NpgsqlDbType = type;
            }
            else
            {
                copy.DbType = parameter.DbType;
            }

            copy.Value = parameter.Value;
            explain.Parameters.Add(copy);
        }

        await using var reader = await explain.ExecuteReaderAsync(cancellationToken);
        var lines = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lines.Add(Convert.ToString(reader.GetValue(reader.FieldCount - 1), System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }

        Plan = string.Join('\n', lines);
    }
}
