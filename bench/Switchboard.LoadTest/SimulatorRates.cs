using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Switchboard.LoadTest;

/// <summary>
/// Rates as Meta's side saw them: the Cloud API simulator remembers when it accepted each send of each
/// number (to the microsecond), so a number's rate is exact rather than sampled, and its busiest second
/// shows how close the sender came to the limit. 130429s are counted by the simulator too.
/// </summary>
internal static class SimulatorRates
{
    public sealed record Number(string PhoneNumberId, int Accepted, double Rate, double CommonRate, int BusiestSecond, double FirstSeconds, double LastSeconds);

    public sealed record Result(IReadOnlyList<Number> Numbers, int ThroughputErrors, int PairErrors, double CommonWindowSeconds, double TotalRate, IReadOnlyList<Throttle> Throttles);

    /// <summary>A 130429: when (seconds from the first send of the run), which number, and how many of its sends the simulator accepted in the second before.</summary>
    public sealed record Throttle(string PhoneNumberId, double AtSeconds, int AcceptedInSecondBefore);

    public static async Task<Dictionary<int, int>> ErrorsAsync(HttpClient simulator)
    {
        var stats = await simulator.GetFromJsonAsync<JsonObject>("api/stats");
        return stats!["errors"]!.AsObject().ToDictionary(e => int.Parse(e.Key, System.Globalization.CultureInfo.InvariantCulture), e => e.Value!.GetValue<int>());
    }

    public static async Task<Result> MeasureAsync(HttpClient simulator, IReadOnlyList<string> phoneNumberIds, Dictionary<int, int> errorsBefore)
    {
        var times = new Dictionary<string, long[]>();
        var throttled = new Dictionary<string, long[]>();
        foreach (var phone in phoneNumberIds)
        {
            var stats = await simulator.GetFromJsonAsync<JsonObject>($"api/stats/{phone}");
            times[phone] = [.. stats!["acceptedAtMicroseconds"]!.AsArray().Select(t => t!.GetValue<long>()).Order()];
            throttled[phone] = [.. (stats["throttledAtMicroseconds"]?.AsArray() ?? []).Select(t => t!.GetValue<long>()).Order()];
        }

        var errorsAfter = await ErrorsAsync(simulator);
        int Delta(int code) => errorsAfter.GetValueOrDefault(code) - errorsBefore.GetValueOrDefault(code);
        var sending = times.Where(t => t.Value.Length >= 10).ToList();
        var origin = sending.Count == 0 ? 0 : sending.Min(t => t.Value[0]);

        // Each number between 10% and 90% of its own sends; and all numbers over the span in which every one
        // of them was between its 10% and 90% (all sending at once).
        long At(long[] t, double share) => t[(int)Math.Min(t.Length - 1, Math.Floor(share * (t.Length - 1)))];
        var commonFrom = sending.Count == 0 ? 0 : sending.Max(t => At(t.Value, 0.1));
        var commonTo = sending.Count == 0 ? 0 : sending.Min(t => At(t.Value, 0.9));
        var numbers = times.Select(t =>
        {
            var a = t.Value;
            if (a.Length < 10)
            {
                return new Number(t.Key, a.Length, 0, 0, a.Length, 0, 0);
            }

            var from = (int)Math.Floor(0.1 * (a.Length - 1));
            var to = (int)Math.Floor(0.9 * (a.Length - 1));
            var rate = (to - from) / ((a[to] - a[from]) / 1e6);
            var inCommon = a.Count(x => x >= commonFrom && x <= commonTo);
            var commonRate = commonTo > commonFrom ? (inCommon - 1) / ((commonTo - commonFrom) / 1e6) : 0;
            var busiest = 0;
            for (int i = 0, j = 0; i < a.Length; i++)
            {
                while (j < a.Length && a[j] - a[i] < 1_000_000)
                {
                    j++;
                }

                busiest = Math.Max(busiest, j - i);
            }

            return new Number(t.Key, a.Length, rate, commonRate, busiest, (a[0] - origin) / 1e6, (a[^1] - origin) / 1e6);
        }).ToList();
        var all = times.Values.SelectMany(a => a).Order().ToArray();
        var totalRate = all.Length > 10 ? (At(all, 0.9) - At(all, 0.1)) is var span and > 0 ? 0.8 * (all.Length - 1) / (span / 1e6) : 0 : 0;
        var throttles = throttled
            .SelectMany(t => t.Value.Select(at => new Throttle(t.Key, (at - origin) / 1e6, times[t.Key].Count(a => a > at - 1_000_000 && a <= at))))
            .OrderBy(t => t.AtSeconds)
            .ToList();
        return new Result(numbers, Delta(130429), Delta(131056), Math.Max(0, (commonTo - commonFrom) / 1e6), totalRate, throttles);
    }
}
