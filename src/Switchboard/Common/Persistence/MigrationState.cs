namespace Switchboard.Common.Persistence;

/// <summary>Whether this node has brought the schema up to date; readiness waits for it.</summary>
internal sealed class MigrationState
{
    private volatile bool isCurrent;

    public bool IsCurrent => isCurrent;

    public void MarkCurrent() => isCurrent = true;
}
