using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Realtime;
using Switchboard.Common.Security;
using Switchboard.Common.Tenancy;
using Switchboard.Common.Web;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;

namespace Switchboard.Dashboard;

/// <summary>
/// <c>GET /api/v1/tenants/{tenantId}/events</c>: the tenant's realtime events as Server-Sent Events. Each
/// event's id is its sequence number; a client that reconnects with <c>Last-Event-ID</c> (or
/// <c>?after=</c>) gets everything after it, in order, with no gaps. Without either it gets what happens
/// from now on.
/// </summary>
internal static class EventStream
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapEventStream(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/v1/tenants/{tenantId:guid}/events", HandleAsync)
            .RequireAuthorization(TenantPolicies.Member(Permissions.ConversationsRead))
            .RequireSameOrigin()
            .WithTags("Realtime")
            .WithName("StreamEvents")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
        return routes;
    }

    public static async Task HandleAsync(Guid tenantId, HttpContext http, IDbContextFactory<SwitchboardDbContext> dbFactory, RealtimeHub hub, AccessRevalidator access, IConversationScope scope, TimeProvider clock, long? after)
    {
        var ct = http.RequestAborted;
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        using var subscription = hub.Subscribe(tenantId);

        long last;
        if (long.TryParse(http.Request.Headers["Last-Event-ID"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var resumeFrom))
        {
            last = resumeFrom;
        }
        else if (after is { } requested)
        {
            last = requested;
        }
        else
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            last = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.EventCounter).SingleAsync(ct);
        }

        await http.Response.WriteAsync($"retry: 2000\n: connected at {last}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
        var checkedAt = clock.GetUtcNow();
        var checkedVersion = access.Version;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                // A long-lived stream re-checks its credentials: revoking the token, disabling the user or
                // changing their role ends it within AccessRevalidator.Interval, or as soon as any node says so.
                if (clock.GetUtcNow() - checkedAt >= AccessRevalidator.Interval || access.Version != checkedVersion)
                {
                    checkedVersion = access.Version;
                    if (!await access.IsStillValidAsync(http.User, ct))
                    {
                        await http.Response.WriteAsync("event: session-ended\ndata: {}\n\n", ct);
                        await http.Response.Body.FlushAsync(ct);
                        return;
                    }

                    checkedAt = clock.GetUtcNow();
                }

                List<RealtimeEvent> batch;
                HashSet<Guid>? hidden = null;
                await using (var db = await dbFactory.CreateDbContextAsync(ct))
                {
                    batch = await db.RealtimeEvents.AsNoTracking()
                        .Where(e => e.TenantId == tenantId && e.Sequence > last)
                        .OrderBy(e => e.Sequence)
                        .Take(500)
                        .ToListAsync(ct);

                    // An agent limited to her teams gets no event of a conversation she may not see (ADR 0022, amendment).
                    if (batch.Count > 0 && await scope.ForAsync(http.User, tenantId, ct) is { } visible)
                    {
                        var ids = batch.Where(e => e.ConversationId is not null).Select(e => e.ConversationId!.Value).Distinct().ToList();
                        var shown = await db.Conversations.AsNoTracking().Where(c => c.TenantId == tenantId && ids.Contains(c.Id)).VisibleTo(visible).Select(c => c.Id).ToListAsync(ct);
                        hidden = [.. ids.Except(shown)];
                    }
                }

                foreach (var e in batch)
                {
                    if (e.ConversationId is { } about && hidden?.Contains(about) == true)
                    {
                        last = e.Sequence;
                        continue;
                    }

                    var data = JsonSerializer.Serialize(new { sequence = e.Sequence, type = e.Type, conversationId = e.ConversationId, messageId = e.MessageId, detail = e.Detail, at = e.CreatedAt }, Json);
                    await http.Response.WriteAsync($"id: {e.Sequence}\nevent: {e.Type}\ndata: {data}\n\n", ct);
                    last = e.Sequence;
                }

                if (batch.Count > 0)
                {
                    await http.Response.Body.FlushAsync(ct);
                    if (batch.Count == 500)
                    {
                        continue;
                    }
                }

                if (!await subscription.WaitAsync(KeepAlive, ct))
                {
                    await http.Response.WriteAsync(": keep-alive\n\n", ct);
                    await http.Response.Body.FlushAsync(ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
    }
}
