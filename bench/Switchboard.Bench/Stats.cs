namespace Switchboard.Bench;

/// <summary>Nearest-rank percentiles of a sample (whatever its unit; the benchmarks use milliseconds).</summary>
internal sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    public static readonly Percentiles Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN);

    public static Percentiles Of(IEnumerable<double> sample)
    {
        var sorted = sample.ToArray();
        if (sorted.Length == 0)
        {
            return Empty;
        }

        Array.Sort(sorted);
        return new Percentiles(sorted.Length, Rank(sorted, 0.50), Rank(sorted, 0.95), Rank(sorted, 0.99), sorted[^1]);
    }

    /// <summary>The smallest value with at least <paramref name="p"/> of the sample at or below it.</summary>
    private static double Rank(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>Minimum, mean and maximum of a few values (the per-number send rates).</summary>
internal sealed record Spread(double Min, double Mean, double Max)
{
    public static Spread Of(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0
            ? new Spread(double.NaN, double.NaN, double.NaN)
            : new Spread(finite.Min(), finite.Average(), finite.Max());
    }
}
