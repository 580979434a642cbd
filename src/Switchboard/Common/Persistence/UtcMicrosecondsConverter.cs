using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Switchboard.Common.Persistence;

/// <summary>
/// SQLite has no timestamp type and cannot compare or order DateTimeOffset stored as text, so on SQLite
/// timestamps are microseconds since the Unix epoch (UTC) in an INTEGER — PostgreSQL's own precision.
/// </summary>
internal sealed class UtcMicrosecondsConverter() : ValueConverter<DateTimeOffset, long>(
    v => (v.UtcTicks - DateTimeOffset.UnixEpoch.Ticks) / TicksPerMicrosecond,
    v => new DateTimeOffset(DateTimeOffset.UnixEpoch.Ticks + (v * TicksPerMicrosecond), TimeSpan.Zero))
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;
}
