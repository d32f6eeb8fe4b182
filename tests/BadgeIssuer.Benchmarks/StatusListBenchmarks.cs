using BadgeIssuer.Core.StatusList;
using BenchmarkDotNet.Attributes;

namespace BadgeIssuer.Benchmarks;

// Publish path of a status list: 131,072 bits → GZIP → base64url (target ≤ 10 µs for a mostly-zero list).
[MemoryDiagnoser]
public class StatusListBenchmarks
{
    private readonly BitstringStatusList _mostlyZero = new();
    private readonly BitstringStatusList _onePercent = new();
    private string _encoded = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (int i = 0; i < 32; i++)
        {
            _mostlyZero.Set(random.Next(BitstringStatusList.MinimumEntries), true);
        }

        for (int i = 0; i < BitstringStatusList.MinimumEntries / 100; i++)
        {
            _onePercent.Set(random.Next(BitstringStatusList.MinimumEntries), true);
        }

        _encoded = _mostlyZero.Encode();
    }

    [Benchmark(Baseline = true)]
    public string EncodeMostlyZero() => _mostlyZero.Encode();

    [Benchmark]
    public string EncodeOnePercentSet() => _onePercent.Encode();

    [Benchmark]
    public BitstringStatusList DecodeMostlyZero() => BitstringStatusList.Decode(_encoded);
}
