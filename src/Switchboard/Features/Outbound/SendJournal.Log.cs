namespace Switchboard.Features.Outbound;

/// <summary>What the journal logs: ids, reasons and Meta's codes, never a message's content.</summary>
internal sealed partial class SendJournal
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Applying delivery statuses that arrived while replies were being recorded failed ({Error})")]
    private partial void LogReconcileFailed(string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox item {ItemId} failed: {Reason} (Meta code {Code})")]
    private partial void LogFailed(Guid itemId, string reason, int? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox item {ItemId}: outcome unknown ({Reason}); marked for an agent, not resent")]
    private partial void LogUnknown(Guid itemId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Marks} Sending mark(s) and {Outcomes} outcome(s) together failed ({Error}); writing them separately")]
    private partial void LogBatchFailed(int marks, int outcomes, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Marking {Count} outbox item(s) Sending failed ({Error}); they are not sent now but queued again")]
    private partial void LogMarkFailed(int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the outcome of outbox item {ItemId} waits for the database ({Error}); trying again shortly")]
    private partial void LogOutcomeDeferred(Guid itemId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording the outcome of outbox item {ItemId} failed ({Error}); it stays as it was (Sending becomes unknown)")]
    private partial void LogOutcomeFailed(Guid itemId, string error);
}
