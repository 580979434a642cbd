namespace Switchboard.LoadTest;

/// <summary>
/// Watches the database while the sender works: every 100 ms (or as given), how many replies of each
/// number have been accepted by Meta (they got a wamid). The achieved rate of a number is measured
/// between 10% and 90% of its replies, which leaves out start-up and the tail. Sampling makes this coarse
/// (outcomes are also recorded in batches); with --simulator the report adds exact rates.
/// </summary>
internal static class SendRates
{
    public sealed record Result(IReadOnlyList<(Guid Channel, int Count, double Rate)> PerChannel, int Failed, IReadOnlyDictionary<string, int> FailureCodes);

    public static async Task<Result> MeasureAsync(Options options, Guid tenantId, int expected, TimeSpan pollInterval)
    {
        var samples = new List<(double Seconds, Dictionary<Guid, int> Accepted)>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var failed = 0;
        var codes = new Dictionary<string, int>();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            var accepted = new Dictionary<Guid, int>();
            failed = 0;
            codes.Clear();
            await using (var connection = Lag.Connect(options))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT \"ChannelId\", \"Wamid\" IS NOT NULL, \"Status\", \"ErrorCode\" FROM \"Messages\" WHERE \"TenantId\" = @tenant AND \"Direction\" = 'outbound'";
                var parameter = command.CreateParameter();
                parameter.ParameterName = "tenant";
                parameter.Value = options.DbProvider == "sqlite" ? tenantId.ToString().ToUpperInvariant() : tenantId;
                command.Parameters.Add(parameter);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var channel = options.DbProvider == "sqlite" ? Guid.Parse(reader.GetString(0)) : reader.GetGuid(0);
                    if (reader.GetBoolean(1))
                    {
                        accepted[channel] = accepted.GetValueOrDefault(channel) + 1;
                    }

                    if (reader.GetString(2) == "failed")
                    {
                        failed++;
                        var code = reader.IsDBNull(3) ? "none" : reader.GetInt32(3).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        codes[code] = codes.GetValueOrDefault(code) + 1;
                    }
                }
            }

            samples.Add((clock.Elapsed.TotalSeconds, accepted));
            var done = accepted.Values.Sum() + failed;
            if (samples.Count % Math.Max(1, (int)(1000 / pollInterval.TotalMilliseconds)) == 0)
            {
                Console.Error.WriteLine($"  [send] {clock.Elapsed.TotalSeconds,5:F1} s  {accepted.Values.Sum()}/{expected} accepted, {failed} failed");
            }

            if (done >= expected)
            {
                break;
            }

            await Task.Delay(pollInterval);
        }

        var channels = samples[^1].Accepted.Keys.ToList();
        var perChannel = channels.Select(channel =>
        {
            var total = samples[^1].Accepted[channel];
            double TimeAt(double share) => samples.First(s => s.Accepted.GetValueOrDefault(channel) >= share * total).Seconds;
            var span = TimeAt(0.9) - TimeAt(0.1);
            return (channel, total, span > 0 ? 0.8 * total / span : double.PositiveInfinity);
        }).ToList();
        return new Result(perChannel, failed, codes);
    }
}
