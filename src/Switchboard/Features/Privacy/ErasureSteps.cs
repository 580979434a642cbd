using Switchboard.Features.Conversations;

namespace Switchboard.Features.Privacy;

/// <summary>The registered <see cref="IContactEraseStep"/>s and the contact directory, as one service for the erase use cases.</summary>
internal sealed class ErasureSteps(ContactDirectory directory, IEnumerable<IContactEraseStep> steps)
{
    public ContactDirectory Directory { get; } = directory;

    public IReadOnlyList<IContactEraseStep> Steps { get; } = [.. steps];

    public static void RunAfterCommit(IEnumerable<Action> actions)
    {
        foreach (var action in actions)
        {
            action();
        }
    }
}
