using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Switchboard.Common.Persistence;
using Switchboard.Features.Audit;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Assistant;

/// <summary>
/// Summaries when a conversation is resolved or handed to another agent (ADR 0035): after the commit the change
/// is queued in memory and a background loop writes the summary with the tenant's provider, outside the
/// writer's transaction (a remote model may take seconds). A summary lost to a restart can be asked for again.
/// </summary>
internal sealed class AutoSummaryStep(AutoSummaryQueue queue) : IConversationStep
{
    public Task PlanAsync(SwitchboardDbContext db, IReadOnlyList<ConversationChange> changes, CancellationToken ct) => Task.CompletedTask;

    public void Committed(IReadOnlyList<ConversationChange> changes)
    {
        foreach (var (conversation, cause, _) in changes)
        {
            var trigger = cause switch
            {
                ConversationCause.Resolved => SummaryTrigger.Resolved,
                ConversationCause.Reassigned when conversation.AssignedUserId is not null => SummaryTrigger.Transferred,
                _ => (SummaryTrigger?)null,
            };
            if (trigger is { } t)
            {
                queue.Writer.TryWrite((conversation.TenantId, conversation.Id, t));
            }
        }
    }
}

internal sealed class AutoSummaryQueue
{
    private readonly Channel<(Guid TenantId, Guid ConversationId, SummaryTrigger Trigger)> channel =
        Channel.CreateBounded<(Guid, Guid, SummaryTrigger)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });

    public ChannelWriter<(Guid TenantId, Guid ConversationId, SummaryTrigger Trigger)> Writer => channel.Writer;

    public ChannelReader<(Guid TenantId, Guid ConversationId, SummaryTrigger Trigger)> Reader => channel.Reader;
}

internal sealed class AutoSummaryWorker(AutoSummaryQueue queue, IDbContextFactory<SwitchboardDbContext> dbFactory, AssistantRunner assistant, ILogger<AutoSummaryWorker> logger)
    : BackgroundService
{
    /// <summary>Fewer messages than this are not worth a summary.</summary>
    public const int MinimumMessages = 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (tenantId, conversationId, trigger) in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                var on = await db.AssistantSettings.AsNoTracking().AnyAsync(s => s.TenantId == tenantId && s.Enabled, stoppingToken);
                var messages = on ? await db.Messages.CountAsync(m => m.TenantId == tenantId && m.ConversationId == conversationId && m.Direction != MessageDirection.Note, stoppingToken) : 0;
                if (messages < MinimumMessages)
                {
                    continue;
                }

                var outcome = await assistant.SummarizeAsync(db, tenantId, conversationId, trigger, AuditActor.System, stoppingToken);
                if (outcome.Failure is { } failure)
                {
                    logger.LogInformation("No {Trigger} summary for conversation {ConversationId}: {Reason}", trigger, conversationId, failure.Title);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Summary for conversation {ConversationId} failed: {Error}", conversationId, e.GetType().Name);
            }
        }
    }
}
