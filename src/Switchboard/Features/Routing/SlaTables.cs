using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Switchboard.Common.Jobs;
using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>The service-level tables on the shared context (ADR 0020).</summary>
internal static class SlaTables
{
    extension(SwitchboardDbContext db)
    {
        public DbSet<Calendar> Calendars => db.Set<Calendar>();

        public DbSet<CalendarHours> CalendarHours => db.Set<CalendarHours>();

        public DbSet<Holiday> Holidays => db.Set<Holiday>();

        public DbSet<SlaPolicy> SlaPolicies => db.Set<SlaPolicy>();

        public DbSet<SlaTimer> SlaTimers => db.Set<SlaTimer>();
    }
}

/// <summary>Stores an <see cref="SlaKind"/> by its API name.</summary>
internal sealed class SlaKindConverter() : ValueConverter<SlaKind, string>(k => SlaKinds.Name(k), s => SlaKinds.Parse(s));

/// <summary>SLA clocks were started or moved: the timer runner looks again.</summary>
internal sealed class SlaSignal
{
    public WorkSignal Signal { get; } = new();
}
