using Switchboard.Common.Configuration;
using Switchboard.Tests.Outbound;

namespace Switchboard.Tests.Telemetry;

/// <summary>Switchboard with metrics on (<c>Switchboard:Metrics:Enabled</c>) and a fake Graph API.</summary>
public abstract class TelemetryFixture(DatabaseProvider provider) : OutboundFixture(provider)
{
    protected override async Task<IDictionary<string, string?>?> SettingsAsync()
    {
        var settings = (await base.SettingsAsync())!;
        settings["Switchboard:Metrics:Enabled"] = "true";
        return settings;
    }
}

public sealed class SqliteTelemetryFixture() : TelemetryFixture(DatabaseProvider.Sqlite);

public sealed class PostgresTelemetryFixture() : TelemetryFixture(DatabaseProvider.Postgres);
