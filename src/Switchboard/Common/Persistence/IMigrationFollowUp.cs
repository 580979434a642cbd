namespace Switchboard.Common.Persistence;

/// <summary>
/// Work a feature does once, right after the named migration was applied at start-up, with keys a migration cannot
/// reach (for example anchoring the audit chains under the master key, ADR 0039).
/// </summary>
internal interface IMigrationFollowUp
{
    string Migration { get; }

    Task RunAsync(SwitchboardDbContext db, CancellationToken ct);
}
