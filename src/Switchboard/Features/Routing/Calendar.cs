using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Switchboard.Features.Routing;

/// <summary>Business hours: a weekly schedule in an IANA time zone, with dated holidays (ADR 0023).</summary>
internal sealed class Calendar
{
    public const string Table = "Calendars";

    public Guid TenantId { get; set; }

    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>An IANA zone id ("Europe/Madrid"); local days and hours are read in it.</summary>
    public string TimeZone { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One open interval of a weekday, in local minutes since midnight; a day may have several.</summary>
internal sealed class CalendarHours
{
    public const string Table = "CalendarHours";

    public Guid TenantId { get; set; }

    public Guid CalendarId { get; set; }

    /// <summary>0 = Sunday … 6 = Saturday (<see cref="DayOfWeek"/>).</summary>
    public int Day { get; set; }

    public int StartMinute { get; set; }

    /// <summary>Exclusive; 1440 is midnight at the end of the day.</summary>
    public int EndMinute { get; set; }
}

/// <summary>A local date on which the calendar is closed all day.</summary>
internal sealed class Holiday
{
    public const string Table = "Holidays";

    public Guid TenantId { get; set; }

    public Guid CalendarId { get; set; }

    public DateOnly Date { get; set; }

    public string Name { get; set; } = "";
}

internal sealed class CalendarConfiguration : IEntityTypeConfiguration<Calendar>
{
    public void Configure(EntityTypeBuilder<Calendar> builder)
    {
        builder.ToTable(Calendar.Table);
        builder.HasKey(c => new { c.TenantId, c.Id });
        builder.Property(c => c.Name).HasMaxLength(128);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
    }
}

internal sealed class CalendarHoursConfiguration : IEntityTypeConfiguration<CalendarHours>
{
    public void Configure(EntityTypeBuilder<CalendarHours> builder)
    {
        builder.ToTable(CalendarHours.Table);
        builder.HasKey(h => new { h.TenantId, h.CalendarId, h.Day, h.StartMinute });
        builder.HasOne<Calendar>().WithMany().HasForeignKey(h => new { h.TenantId, h.CalendarId }).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class HolidayConfiguration : IEntityTypeConfiguration<Holiday>
{
    public void Configure(EntityTypeBuilder<Holiday> builder)
    {
        builder.ToTable(Holiday.Table);
        builder.HasKey(h => new { h.TenantId, h.CalendarId, h.Date });
        builder.Property(h => h.Name).HasMaxLength(128);
        builder.HasOne<Calendar>().WithMany().HasForeignKey(h => new { h.TenantId, h.CalendarId }).OnDelete(DeleteBehavior.Cascade);
    }
}
