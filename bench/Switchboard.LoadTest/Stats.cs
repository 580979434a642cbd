namespace Switchboard.LoadTest;

/// <summary>Percentiles of a sample, in milliseconds.</summary>
internal sealed record Percentiles(int Count, double P50, double P95, double P99, double Max)
{
    public static Percentiles Of(IReadOnlyCollection<double> sample)
    {
        if (sample.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0);
        }

        var sorted = sample.Order().ToArray();
        double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new Percentiles(sorted.Length, At(0.50), At(0.95), At(0.99), sorted[^1]);
    }

    public string Row(string label) => $"| {label} | {P50:F1} | {P95:F1} | {P99:F1} | {Max:F1} |";
}

internal static class Machine
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024 * 1024.0):F0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}
