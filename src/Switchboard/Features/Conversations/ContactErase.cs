using Switchboard.Common.Persistence;

namespace Switchboard.Features.Conversations;

/// <summary>
/// A contact being crypto-erased (<see cref="ConversationLedger.EraseContactAsync"/>), with the identifiers
/// read just before its key was destroyed, so steps can find rows that hold them (raw webhook events).
/// Work that cannot roll back (deleting files) goes in <see cref="AfterCommit"/>.
/// </summary>
internal sealed record ContactErasure(Guid TenantId, Guid ContactId, string? WaId, string? UserId)
{
    public List<Func<Task>> AfterCommit { get; } = [];
}

/// <summary>Messages being deleted for the tenant's records (one message, or a conversation's); their contact stays.</summary>
internal sealed record MessageErasure(Guid TenantId, IReadOnlyList<Guid> MessageIds)
{
    public List<Func<Task>> AfterCommit { get; } = [];
}

/// <summary>
/// The seam through which a feature that keeps rows of a contact or of messages (Media's files, Outbound's
/// queued replies, Webhooks' raw events, search tokens, exports) removes them when Conversations erases
/// them, in the eraser's transaction; the caller saves. Like <see cref="IContactMergeStep"/> (ADR 0026).
/// </summary>
internal interface IContactEraseStep
{
    Task EraseContactAsync(SwitchboardDbContext db, ContactErasure erasure, CancellationToken ct);

    Task EraseMessagesAsync(SwitchboardDbContext db, MessageErasure erasure, CancellationToken ct) => Task.CompletedTask;
}
