using System.Diagnostics;

namespace BadgeIssuer.LoadTest;

/// <summary>Exact latency percentiles over every recorded sample (no histogram buckets, no interpolation).</summary>
public static class Percentiles
{
    /// <summary>
    /// Nearest-rank percentile of an ascending array: the smallest sample such that at least <paramref name="percent"/>%
    /// of the samples are ≤ it, i.e. <c>sorted[ceil(p/100·n) − 1]</c>. p50 of [1,2,3,4] is 2, p99 of 100 samples is the 99th.
    /// </summary>
    public static long NearestRank(ReadOnlySpan<long> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        long rank = (long)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[(int)Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public static double TicksToMs(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Checks the rank rule on small arrays; run with <c>--self-test</c>.</summary>
    public static void SelfTest()
    {
        Check(NearestRank([1, 2, 3, 4], 50) == 2, "p50 of 1..4");
        Check(NearestRank([1, 2, 3, 4], 100) == 4, "p100 of 1..4");
        Check(NearestRank([1, 2, 3, 4], 0) == 1, "p0 of 1..4");
        long[] hundred = [.. Enumerable.Range(1, 100).Select(i => (long)i)];
        Check(NearestRank(hundred, 99) == 99, "p99 of 1..100");
        Check(NearestRank(hundred, 90) == 90, "p90 of 1..100");
        Check(NearestRank(hundred, 99.9) == 100, "p99.9 of 1..100");
        Check(NearestRank([7], 99) == 7, "single sample");
        Check(NearestRank([], 99) == 0, "no samples");
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("percentile self-test failed: " + what);
        }
    }
}
