using Switchboard.Common.Persistence;
using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>The registered <see cref="IContactEraseStep"/>s, the contact directory and the deletion ledger, as one service for the erase use cases.</summary>
internal sealed class ErasureSteps(ContactDirectory directory, IEnumerable<IContactEraseStep> steps, DeletionLedger ledger)
{
    /// <summary>Every erase is recorded here before it commits (ADR 0038).</summary>
    public DeletionLedger Ledger { get; } = ledger;

    public ContactDirectory Directory { get; } = directory;

    public IReadOnlyList<IContactEraseStep> Steps { get; } = [.. steps];

    public static async Task RunAfterCommitAsync(IEnumerable<Func<Task>> actions)
    {
        foreach (var action in actions)
        {
            await action();
        }
    }
}
