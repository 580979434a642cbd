using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Features.Audit;
using Switchboard.Features.Routing;
using Switchboard.Tests.Infrastructure;
using Switchboard.Tests.Security;

namespace Switchboard.Tests.Routing;

/// <summary>Calendars and SLA policies over the API: shapes, validation with field errors, conflicts, permissions and audit.</summary>
public abstract class SlaApiTests(AppFixture fixture)
{
    private SwitchboardApp App => fixture.App;

    internal static object OfficeCalendar(string name = "Madrid office") => new
    {
        name,
        timeZone = "Europe/Madrid",
        hours = new[]
        {
            new { day = "monday", from = "09:00", to = "13:00" },
            new { day = "monday", from = "14:00", to = "18:00" },
            new { day = "friday", from = "09:00", to = "24:00" },
        },
        holidays = new[] { new { date = "2026-12-25", name = "Christmas" } },
    };

    [Fact]
    public async Task A_calendar_is_created_read_replaced_and_deleted_with_audit_entries()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/calendars";

        var created = await admin.PostAsJsonAsync(url, OfficeCalendar());
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var calendar = await created.ReadJsonAsync();
        var id = calendar["id"]!.GetValue<Guid>();
        created.Headers.Location!.ToString().Should().Be($"{url}/{id}");
        calendar["timeZone"]!.GetValue<string>().Should().Be("Europe/Madrid");
        calendar["hours"]!.AsArray().Select(h => $"{h!["day"]} {h["from"]}-{h["to"]}").Should().Equal("monday 09:00-13:00", "monday 14:00-18:00", "friday 09:00-24:00");
        calendar["holidays"]!.AsArray().Single()!["date"]!.GetValue<string>().Should().Be("2026-12-25");

        (await admin.GetJsonAsync($"{url}/{id}"))["name"]!.GetValue<string>().Should().Be("Madrid office");
        (await admin.GetJsonAsync(url))["items"]!.AsArray().Should().ContainSingle();

        var replaced = await admin.PutAsJsonAsync($"{url}/{id}", new { name = "Weekend desk", timeZone = "America/New_York", hours = new[] { new { day = "saturday", from = "10:00", to = "14:00" } }, holidays = Array.Empty<object>() });
        replaced.StatusCode.Should().Be(HttpStatusCode.OK, await replaced.Content.ReadAsStringAsync());
        var after = await admin.GetJsonAsync($"{url}/{id}");
        after["hours"]!.AsArray().Select(h => $"{h!["day"]} {h["from"]}-{h["to"]}").Should().Equal("saturday 10:00-14:00");
        after["holidays"]!.AsArray().Should().BeEmpty();

        (await admin.DeleteAsync($"{url}/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync($"{url}/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = App.NewDbContext();
        (await db.CalendarHours.CountAsync(h => h.TenantId == tenant.Id)).Should().Be(0, "hours go with their calendar");
        (await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Target == $"calendar:{id}").Select(e => e.Action).ToListAsync())
            .Should().BeEquivalentTo([AuditActions.CalendarCreated, AuditActions.CalendarUpdated, AuditActions.CalendarDeleted]);
    }

    [Fact]
    public async Task A_bad_calendar_is_refused_field_by_field_and_nothing_is_stored()
    {
        var tenant = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/calendars";

        var response = await admin.PostAsJsonAsync(url, new
        {
            name = "",
            timeZone = "Romance Standard Time",
            hours = new[]
            {
                new { day = "funday", from = "09:00", to = "17:00" },
                new { day = "monday", from = "18:00", to = "09:00" },
                new { day = "tuesday", from = "09:00", to = "13:00" },
                new { day = "tuesday", from = "12:00", to = "15:00" },
                new { day = "wednesday", from = "9am", to = "24:30" },
            },
            holidays = new[] { new { date = "2026-02-30", name = "Nope" } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await response.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key);
        errors.Should().BeEquivalentTo("name", "timeZone", "hours[0].day", "hours[1].to", "hours[3]", "hours[4].from", "hours[4].to", "holidays[0].date");
        (await admin.GetJsonAsync(url))["items"]!.AsArray().Should().BeEmpty();

        var unknownZone = await admin.PostAsJsonAsync(url, new { name = "Mars", timeZone = "Mars/Olympus_Mons" });
        unknownZone.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await unknownZone.ReadJsonAsync())["errors"]!["timeZone"].Should().NotBeNull();
    }

    [Fact]
    public async Task A_policy_is_created_listed_by_rank_replaced_and_deleted_and_its_calendar_must_be_the_tenants()
    {
        var tenant = await App.CreateTenantAsync();
        var other = await App.CreateTenantAsync();
        using var admin = App.ClientWithKey(tenant.ApiKey);
        using var otherAdmin = App.ClientWithKey(other.ApiKey);
        var url = $"/api/v1/tenants/{tenant.Id}/sla-policies";
        var calendarId = (await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/calendars", OfficeCalendar())).ReadJsonAsync())["id"]!.GetValue<Guid>();
        var foreignCalendar = (await (await otherAdmin.PostAsJsonAsync($"/api/v1/tenants/{other.Id}/calendars", OfficeCalendar())).ReadJsonAsync())["id"]!.GetValue<Guid>();

        var foreign = await admin.PostAsJsonAsync(url, new { name = "VIP", firstResponseMinutes = 15, businessHours = true, calendarId = foreignCalendar });
        foreign.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await foreign.ReadJsonAsync())["errors"]!["calendarId"].Should().NotBeNull();

        var invalid = await admin.PostAsJsonAsync(url, new { name = "", warnBeforeMinutes = -1, rank = -5, resolutionMinutes = 0 });
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("name", "resolutionMinutes", "warnBeforeMinutes", "rank");
        var noTarget = await admin.PostAsJsonAsync(url, new { name = "Nothing" });
        (await noTarget.ReadJsonAsync())["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("firstResponseMinutes");
        (await admin.GetJsonAsync(url))["items"]!.AsArray().Should().BeEmpty("nothing invalid was stored");

        var teamId = Guid.NewGuid();
        var vip = await admin.PostAsJsonAsync(url, new { name = "VIP", teamId, label = "vip", firstResponseMinutes = 15, nextResponseMinutes = 30, resolutionMinutes = 480, warnBeforeMinutes = 5, businessHours = true, calendarId, rank = 1 });
        vip.StatusCode.Should().Be(HttpStatusCode.Created, await vip.Content.ReadAsStringAsync());
        var vipBody = await vip.ReadJsonAsync();
        vipBody["teamId"]!.GetValue<Guid>().Should().Be(teamId);
        vipBody["label"]!.GetValue<string>().Should().Be("vip");
        vipBody["calendarId"]!.GetValue<Guid>().Should().Be(calendarId);
        var standard = await (await admin.PostAsJsonAsync(url, new { name = "Standard", firstResponseMinutes = 60 })).ReadJsonAsync();
        standard["warnBeforeMinutes"]!.GetValue<int>().Should().Be(10);
        standard["businessHours"]!.GetValue<bool>().Should().BeFalse();

        (await admin.GetJsonAsync(url))["items"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).Should().Equal("Standard", "VIP");

        var vipId = vipBody["id"]!.GetValue<Guid>();
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/calendars/{calendarId}")).StatusCode.Should().Be(HttpStatusCode.Conflict, "the VIP policy counts in it");

        var replaced = await admin.PutAsJsonAsync($"{url}/{vipId}", new { name = "VIP", firstResponseMinutes = 5 });
        replaced.StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.GetJsonAsync($"{url}/{vipId}"))["calendarId"].Should().BeNull();
        (await admin.DeleteAsync($"/api/v1/tenants/{tenant.Id}/calendars/{calendarId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await admin.DeleteAsync($"{url}/{vipId}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync($"{url}/{vipId}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        await using var db = App.NewDbContext();
        (await db.AuditEntries.Where(e => e.TenantId == tenant.Id && e.Target == $"sla_policy:{vipId}").Select(e => e.Action).ToListAsync())
            .Should().BeEquivalentTo([AuditActions.SlaPolicyCreated, AuditActions.SlaPolicyUpdated, AuditActions.SlaPolicyDeleted]);
    }

    [Theory]
    [InlineData("agent")]
    [InlineData("manager")]
    public async Task Agents_and_managers_read_calendars_and_policies_but_only_admins_change_them(string role)
    {
        var tenant = await App.CreateTenantAsync();
        var userId = await App.CreateUserAsync(tenant, role);
        using var user = App.ClientWithKey(await App.PersonalTokenAsync(tenant.Id, userId, []));
        using var admin = App.ClientWithKey(tenant.ApiKey);
        var calendarId = (await (await admin.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/calendars", OfficeCalendar())).ReadJsonAsync())["id"]!.GetValue<Guid>();

        (await user.GetAsync($"/api/v1/tenants/{tenant.Id}/calendars/{calendarId}")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await user.GetAsync($"/api/v1/tenants/{tenant.Id}/sla-policies")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await user.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/calendars", OfficeCalendar("Mine"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await user.PutAsJsonAsync($"/api/v1/tenants/{tenant.Id}/calendars/{calendarId}", OfficeCalendar("Mine"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await user.DeleteAsync($"/api/v1/tenants/{tenant.Id}/calendars/{calendarId}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await user.PostAsJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies", new { name = "Mine", firstResponseMinutes = 5 })).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await admin.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/calendars/{calendarId}"))["name"]!.GetValue<string>().Should().Be("Madrid office");
        (await admin.GetJsonAsync($"/api/v1/tenants/{tenant.Id}/sla-policies"))["items"]!.AsArray().Should().BeEmpty();
    }
}

public sealed class SlaApiTests_Sqlite(SqliteAppFixture fixture) : SlaApiTests(fixture), IClassFixture<SqliteAppFixture>;

public sealed class SlaApiTests_Postgres(PostgresAppFixture fixture) : SlaApiTests(fixture), IClassFixture<PostgresAppFixture>;
