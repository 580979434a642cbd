using Switchboard.Common.Jobs;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Routing;

/// <summary>Business hours and SLA policies with their timers (ADR 0023): part of Routing.</summary>
public static class SlaFeature
{
    public static IServiceCollection AddServiceLevels(this IServiceCollection services)
    {
        services.AddSingleton<SlaSignal>();
        services.AddSingleton<SlaRulesCache>();
        services.AddSingleton<IConversationStep, SlaStep>();
        services.AddJobRunner<SlaTimerSource, SlaJob>(sp => sp.GetRequiredService<SlaSignal>().Signal);
        return services;
    }

    public static IEndpointRouteBuilder MapServiceLevels(this IEndpointRouteBuilder routes)
    {
        var read = TenantPolicies.Member(Permissions.ConversationsRead);
        var admin = TenantPolicies.Member(Permissions.RoutingAdmin);

        var calendars = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/calendars").WithTags("Routing");
        calendars.MapGet("", CalendarEndpoints.ListAsync).WithName("ListCalendars").RequireAuthorization(read);
        calendars.MapPost("", CalendarEndpoints.CreateAsync).WithName("CreateCalendar").RequireAuthorization(admin);
        calendars.MapGet("/{calendarId:guid}", CalendarEndpoints.GetAsync).WithName("GetCalendar").RequireAuthorization(read);
        calendars.MapPut("/{calendarId:guid}", CalendarEndpoints.UpdateAsync).WithName("UpdateCalendar").RequireAuthorization(admin);
        calendars.MapDelete("/{calendarId:guid}", CalendarEndpoints.DeleteAsync).WithName("DeleteCalendar").RequireAuthorization(admin);

        var policies = routes.MapGroup("/api/v1/tenants/{tenantId:guid}/sla-policies").WithTags("Routing");
        policies.MapGet("", SlaPoliciesApi.ListAsync).WithName("ListSlaPolicies").RequireAuthorization(read);
        policies.MapPost("", SlaPoliciesApi.CreateAsync).WithName("CreateSlaPolicy").RequireAuthorization(admin);
        policies.MapGet("/{policyId:guid}", SlaPoliciesApi.GetAsync).WithName("GetSlaPolicy").RequireAuthorization(read);
        policies.MapPut("/{policyId:guid}", SlaPoliciesApi.UpdateAsync).WithName("UpdateSlaPolicy").RequireAuthorization(admin);
        policies.MapDelete("/{policyId:guid}", SlaPoliciesApi.DeleteAsync).WithName("DeleteSlaPolicy").RequireAuthorization(admin);
        return routes;
    }
}
