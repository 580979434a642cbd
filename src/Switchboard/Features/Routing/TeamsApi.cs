using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Common.Web;
using Switchboard.Features.Audit;
using Switchboard.Features.Channels;
using Switchboard.Features.Conversations;
using Switchboard.Features.Identity;

namespace Switchboard.Features.Routing;

/// <summary>A tenant's teams (queues): their members, assignment strategy and capacity, and the numbers whose conversations they take by default.</summary>
internal static class TeamsApi
{
    public const int MaxMembers = 500;

    public sealed record TeamRequest(string? Name, Guid[]? MemberIds, string? Assignment, int? Capacity, Guid[]? ChannelIds);

    public sealed record TeamResponse(Guid Id, string Name, Guid[] MemberIds, string Assignment, int Capacity, Guid[] ChannelIds, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public static async Task<Results<Created<TeamResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        Guid tenantId, TeamRequest request, SwitchboardDbContext db, RoutingSignal signal, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await SaveAsync(tenantId, null, request, db, signal, clock, AuditActor.From(http), ct);
        return outcome switch
        {
            { Value: { } team } => TypedResults.Created($"/api/v1/tenants/{tenantId}/teams/{team.Id}", team),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };
    }

    public static async Task<Results<Ok<TeamResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid tenantId, Guid teamId, TeamRequest request, SwitchboardDbContext db, RoutingSignal signal, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var outcome = await SaveAsync(tenantId, teamId, request, db, signal, clock, AuditActor.From(http), ct);
        return outcome switch
        {
            { Value: { } team } => TypedResults.Ok(team),
            { Failure: { IsInvalid: true } invalid } => invalid.ToValidationProblem(),
            _ => outcome.Failure!.ToProblem(),
        };
    }

    public static async Task<Ok<Page<TeamResponse>>> ListAsync(Guid tenantId, SwitchboardDbContext db, CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().Where(t => t.TenantId == tenantId).OrderBy(t => t.Name).ToListAsync(ct);
        return TypedResults.Ok(new Page<TeamResponse>(await ToResponsesAsync(db, tenantId, teams, ct), null));
    }

    public static async Task<Results<Ok<TeamResponse>, ProblemHttpResult>> GetAsync(Guid tenantId, Guid teamId, SwitchboardDbContext db, CancellationToken ct)
    {
        var team = await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        return team is null ? Problems.NotFound() : TypedResults.Ok((await ToResponsesAsync(db, tenantId, [team], ct))[0]);
    }

    /// <summary>Deletes a team that has no open or pending conversation (409 otherwise); its resolved ones keep no team.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid tenantId, Guid teamId, SwitchboardDbContext db, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var team = await db.Teams.FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == teamId, ct);
        if (team is null)
        {
            return Problems.NotFound();
        }

        if (await db.Conversations.AnyAsync(c => c.TenantId == tenantId && c.TeamId == teamId && c.Status != ConversationStatus.Resolved, ct))
        {
            return Problems.Conflict("The team has open or pending conversations.", "Transfer or resolve them first.");
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.TeamMembers.Where(m => m.TenantId == tenantId && m.TeamId == teamId).ExecuteDeleteAsync(ct);
        await db.ChannelTeams.Where(c => c.TenantId == tenantId && c.TeamId == teamId).ExecuteDeleteAsync(ct);
        await ConversationLedger.LeaveTeamAsync(db, tenantId, teamId, ct);
        db.Teams.Remove(team);
        await AuditLog.RecordAsync(db, tenantId, AuditActor.From(http), RoutingAudit.TeamDeleted, $"team:{teamId}", new { name = team.Name }, now, ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Creates (<paramref name="teamId"/> null) or replaces a team, its members and its numbers, audited; wakes the dispatcher.</summary>
    public static async Task<Outcome<TeamResponse>> SaveAsync(
        Guid tenantId, Guid? teamId, TeamRequest request, SwitchboardDbContext db, RoutingSignal signal, TimeProvider clock, AuditActor actor, CancellationToken ct)
    {
        Team? team = null;
        if (teamId is { } id)
        {
            team = await db.Teams.FirstOrDefaultAsync(t => t.TenantId == tenantId && t.Id == id, ct);
            if (team is null)
            {
                return Failure.NotFound();
            }
        }

        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 128)
        {
            errors["name"] = ["Required, at most 128 characters."];
        }

        var strategy = request.Assignment ?? Team.RoundRobin;
        if (!Team.Strategies.Contains(strategy, StringComparer.Ordinal))
        {
            errors["assignment"] = ["One of round_robin, least_busy, manual."];
        }

        var capacity = request.Capacity ?? 5;
        if (capacity is < 1 or > 100)
        {
            errors["capacity"] = ["From 1 to 100 open conversations per member."];
        }

        Guid[] memberIds = [.. (request.MemberIds ?? []).Distinct()];
        if (memberIds.Length > MaxMembers)
        {
            errors["memberIds"] = [$"At most {MaxMembers} members."];
        }
        else if (memberIds.Length > 0)
        {
            var active = await db.Memberships.AsNoTracking()
                .Where(m => m.TenantId == tenantId && memberIds.Contains(m.UserId) && m.Status == MembershipStatus.Active).Select(m => m.UserId).ToListAsync(ct);
            if (memberIds.Except(active).Any())
            {
                errors["memberIds"] = ["Every member must be an active member of this tenant."];
            }
        }

        Guid[] channelIds = [.. (request.ChannelIds ?? []).Distinct()];
        if (channelIds.Length > 0)
        {
            var known = await db.Channels.AsNoTracking().Where(c => c.TenantId == tenantId && channelIds.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct);
            if (channelIds.Except(known).Any())
            {
                errors["channelIds"] = ["Every number must be one of this tenant's channels."];
            }
        }

        if (errors.Count > 0)
        {
            return Failure.Invalid(errors);
        }

        if (await db.Teams.AnyAsync(t => t.TenantId == tenantId && t.Name == name && t.Id != (teamId ?? Guid.Empty), ct))
        {
            return Failure.Conflict("A team with this name exists.");
        }

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var created = team is null;
        if (team is null)
        {
            team = new Team { TenantId = tenantId, Id = Guid.CreateVersion7(now), CreatedAt = now };
            db.Teams.Add(team);
        }
        else
        {
            await db.TeamMembers.Where(m => m.TenantId == tenantId && m.TeamId == team.Id && !memberIds.Contains(m.UserId)).ExecuteDeleteAsync(ct);
            await db.ChannelTeams.Where(c => c.TenantId == tenantId && c.TeamId == team.Id && !channelIds.Contains(c.ChannelId)).ExecuteDeleteAsync(ct);
        }

        team.Name = name!;
        team.Strategy = strategy;
        team.Capacity = capacity;
        team.UpdatedAt = now;
        var existing = await db.TeamMembers.AsNoTracking().Where(m => m.TenantId == tenantId && m.TeamId == team.Id).Select(m => m.UserId).ToListAsync(ct);
        db.TeamMembers.AddRange(memberIds.Except(existing).Select(u => new TeamMember { TenantId = tenantId, TeamId = team.Id, UserId = u, AddedAt = now }));

        // A number has one default team: naming it here takes it from another team.
        var defaults = await db.ChannelTeams.Where(c => c.TenantId == tenantId && channelIds.Contains(c.ChannelId)).ToListAsync(ct);
        foreach (var channelId in channelIds)
        {
            if (defaults.FirstOrDefault(d => d.ChannelId == channelId) is { } row)
            {
                row.TeamId = team.Id;
            }
            else
            {
                db.ChannelTeams.Add(new ChannelTeam { TenantId = tenantId, ChannelId = channelId, TeamId = team.Id });
            }
        }

        await AuditLog.RecordAsync(db, tenantId, actor, created ? RoutingAudit.TeamCreated : RoutingAudit.TeamUpdated, $"team:{team.Id}",
            new { name = team.Name, assignment = strategy, capacity, members = memberIds.Length, channels = channelIds.Length }, now, ct);
        await transaction.CommitAsync(ct);
        signal.Notify();
        return new TeamResponse(team.Id, team.Name, [.. memberIds.Order()], team.Strategy, team.Capacity, [.. channelIds.Order()], team.CreatedAt, team.UpdatedAt);
    }

    private static async Task<List<TeamResponse>> ToResponsesAsync(SwitchboardDbContext db, Guid tenantId, List<Team> teams, CancellationToken ct)
    {
        var ids = teams.Select(t => t.Id).ToList();
        var members = (await db.TeamMembers.AsNoTracking().Where(m => m.TenantId == tenantId && ids.Contains(m.TeamId)).ToListAsync(ct)).ToLookup(m => m.TeamId, m => m.UserId);
        var channels = (await db.ChannelTeams.AsNoTracking().Where(c => c.TenantId == tenantId && ids.Contains(c.TeamId)).ToListAsync(ct)).ToLookup(c => c.TeamId, c => c.ChannelId);
        return [.. teams.Select(t => new TeamResponse(t.Id, t.Name, [.. members[t.Id].Order()], t.Strategy, t.Capacity, [.. channels[t.Id].Order()], t.CreatedAt, t.UpdatedAt))];
    }
}

/// <summary>The routing changes the audit log records.</summary>
internal static class RoutingAudit
{
    public const string TeamCreated = "team.created";
    public const string TeamUpdated = "team.updated";
    public const string TeamDeleted = "team.deleted";
    public const string AvailabilityChanged = "agent.availability_changed";
    public const string SettingsChanged = "routing.settings_changed";
}
