namespace Switchboard.Tests.Infrastructure;

/// <summary>
/// Tests that measure timing (pacing) run on their own, after the parallel ones, so that a loaded
/// two-core machine's scheduling noise does not land in their measurements.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "Serial (timing)";
}
