using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Switchboard.Common.Persistence;

/// <summary>Ready when the database answers within two seconds and this node has brought the schema up to date.</summary>
internal sealed class DatabaseHealthCheck(IDbContextFactory<SwitchboardDbContext> dbFactory, MigrationState migrations) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(timeout.Token);
            if (!await db.Database.CanConnectAsync(timeout.Token))
            {
                return HealthCheckResult.Unhealthy("The database does not answer.");
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.");
        }

        return migrations.IsCurrent
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The schema upgrade has not completed yet.");
    }
}
