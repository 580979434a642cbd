using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>An SLA target; the values are the flags of <see cref="Conversation.SlaBreached"/>.</summary>
[Flags]
internal enum SlaKind
{
    FirstResponse = 1,
    NextResponse = 2,
    Resolution = 4,
}

/// <summary>The API's names of <see cref="SlaKind"/> (also the realtime events' detail).</summary>
internal static class SlaKinds
{
    public static readonly IReadOnlyList<SlaKind> All = [SlaKind.FirstResponse, SlaKind.NextResponse, SlaKind.Resolution];

    public static string Name(SlaKind kind) => kind switch
    {
        SlaKind.FirstResponse => "first_response",
        SlaKind.NextResponse => "next_response",
        _ => "resolution",
    };

    public static SlaKind Parse(string name) => name switch
    {
        "first_response" => SlaKind.FirstResponse,
        "next_response" => SlaKind.NextResponse,
        "resolution" => SlaKind.Resolution,
        _ => throw new FormatException("Unknown SLA kind."),
    };

    public static IReadOnlyList<string> Names(int flags) => [.. All.Where(k => (flags & (int)k) != 0).Select(Name)];
}

/// <summary>The policy and the due times its clocks give a conversation.</summary>
internal readonly record struct SlaDue(Guid? PolicyId, DateTimeOffset? FirstResponseDueAt, DateTimeOffset? NextResponseDueAt, DateTimeOffset? ResolutionDueAt);

/// <summary>A conversation's <c>sla</c> in the API.</summary>
internal sealed record ConversationSla(DateTimeOffset? FirstResponseDueAt, DateTimeOffset? NextResponseDueAt, DateTimeOffset? ResolutionDueAt, IReadOnlyList<string> Breached)
{
    /// <summary>Null for a conversation no policy applies to and that never breached one.</summary>
    public static ConversationSla? Of(Conversation c) => c.SlaPolicyId is null && c.SlaBreached == 0
        ? null
        : new(c.FirstResponseDueAt, c.NextResponseDueAt, c.ResolutionDueAt, SlaKinds.Names(c.SlaBreached));
}

/// <summary>The SLA columns of a conversation (ADR 0023): set by the service-level step, on tracked rows, in the writer's unit of work.</summary>
internal sealed partial class ConversationLedger
{
    /// <summary>The conversation opened or reopened at <paramref name="at"/>: the first response is owed again and no target is missed yet.</summary>
    public static void StartSlaPeriod(Conversation conversation, DateTimeOffset at, bool customerWrote)
    {
        conversation.FirstResponseAt = null;
        conversation.SlaBreached = 0;
        conversation.AwaitingReplySince = customerWrote ? at : null;
    }

    /// <summary>A customer message: the oldest unanswered one starts the wait for a reply.</summary>
    public static void RecordAwaitingReply(Conversation conversation, DateTimeOffset at) =>
        conversation.AwaitingReplySince ??= at;

    /// <summary>A reply (not a note): the first response is made and nothing waits for a reply any more.</summary>
    public static void RecordReplied(Conversation conversation, DateTimeOffset at)
    {
        conversation.FirstResponseAt ??= at;
        conversation.AwaitingReplySince = null;
        conversation.NextResponseDueAt = null;
    }

    /// <summary>Resolved: nothing waits for a reply; the next response stops (the others stop with the status).</summary>
    public static void RecordSlaStopped(Conversation conversation)
    {
        conversation.AwaitingReplySince = null;
        conversation.NextResponseDueAt = null;
    }

    /// <summary>Sets the policy and the three due times.</summary>
    public static void SetSla(Conversation conversation, SlaDue due)
    {
        conversation.SlaPolicyId = due.PolicyId;
        conversation.FirstResponseDueAt = due.FirstResponseDueAt;
        conversation.NextResponseDueAt = due.NextResponseDueAt;
        conversation.ResolutionDueAt = due.ResolutionDueAt;
    }

    /// <summary>
    /// In the caller's transaction: marks the target missed and appends <c>sla.breached</c>, only when this
    /// call set the flag (a conditional update, so two callers cannot both report it).
    /// </summary>
    public static async Task<bool> MarkSlaBreachedAsync(SwitchboardDbContext db, Guid tenantId, Guid conversationId, SlaKind kind, DateTimeOffset now, CancellationToken ct)
    {
        var flag = (int)kind;
        var marked = await db.Conversations
            .Where(c => c.TenantId == tenantId && c.Id == conversationId && (c.SlaBreached & flag) == 0)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.SlaBreached, c => c.SlaBreached | flag).SetProperty(c => c.UpdatedAt, now), ct);
        if (marked != 1)
        {
            return false;
        }

        RealtimeLog.Append(db, tenantId, RealtimeEventTypes.SlaBreached, conversationId, null, SlaKinds.Name(kind), now);
        return true;
    }

    /// <summary>Collects <c>sla.warning</c>: a target falls due within the policy's warning time.</summary>
    public static void AppendSlaWarning(SwitchboardDbContext db, Guid tenantId, Guid conversationId, SlaKind kind, DateTimeOffset now)
    {
        RealtimeLog.Append(db, tenantId, RealtimeEventTypes.SlaWarning, conversationId, null, SlaKinds.Name(kind), now);
        db.UnitOfWork<RaisedSlaWarnings>().Items.Add((tenantId, conversationId, kind, now));
    }
}
