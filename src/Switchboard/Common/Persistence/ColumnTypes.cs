using Microsoft.EntityFrameworkCore.Migrations;

namespace Switchboard.Common.Persistence;

/// <summary>
/// The few store types that differ between providers in a way the CLR type alone does not say.
/// Everything else in a migration is left to the provider's default mapping, exactly as the model does.
/// </summary>
internal static class ColumnTypes
{
    public const string SqliteProvider = "Microsoft.EntityFrameworkCore.Sqlite";

    /// <summary>DateTimeOffset: UTC microseconds in an INTEGER on SQLite (see UtcMicrosecondsConverter), timestamptz on PostgreSQL.</summary>
    public static string? Timestamp(MigrationBuilder migrationBuilder) =>
        migrationBuilder.ActiveProvider == SqliteProvider ? "INTEGER" : null;
}
