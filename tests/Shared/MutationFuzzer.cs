using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace BadgeIssuer.Tests.Fuzzing;

/// <summary>
/// A bounded, seeded mutation fuzzer for CI (SharpFuzz needs an AFL/libFuzzer driver and instrumented builds; this
/// runs inside the test process). Each target first replays its kept inputs (<c>Fuzz/seeds/&lt;target&gt;</c> and the
/// regressions in <c>Fuzz/regressions/&lt;target&gt;</c>), then feeds mutants of them: bit flips, interesting bytes,
/// truncation, insertion, deletion, repetition, splicing with another seed and the target's dictionary tokens.
/// An input may end only as a result or as one of the target's documented exceptions, within a time bound; anything
/// else fails the test with the seed, iteration and the input (base64), written to a file to keep as a regression.
/// <c>BADGEISSUER_FUZZ_SEED</c> and <c>BADGEISSUER_FUZZ_ITERATIONS</c> override the seed and the iterations per target.
/// </summary>
internal static class MutationFuzzer
{
    public const int DefaultSeed = 20261129;

    private static readonly byte[] s_interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'{', (byte)'}', (byte)'"', (byte)'\\', (byte)'<', (byte)'>', (byte)'.', (byte)'&', (byte)'\n'];

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("BADGEISSUER_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : DefaultSeed;

    public static int Iterations(int defaultIterations) =>
        int.TryParse(Environment.GetEnvironmentVariable("BADGEISSUER_FUZZ_ITERATIONS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : defaultIterations;

    /// <summary>The kept inputs of <paramref name="target"/>: seeds first, then regressions (each a file).</summary>
    public static List<byte[]> KeptInputs(string target)
    {
        var inputs = new List<byte[]>();
        foreach (string kind in (string[])["seeds", "regressions"])
        {
            string directory = Path.Combine(AppContext.BaseDirectory, "Fuzz", kind, target);
            if (Directory.Exists(directory))
            {
                inputs.AddRange(Directory.GetFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes));
            }
        }

        return inputs;
    }

    /// <summary>
    /// Runs <paramref name="execute"/> on every kept input and on <paramref name="defaultIterations"/> mutants (or the
    /// override); <paramref name="documented"/> says which exceptions the target may throw.
    /// </summary>
    public static void Run(
        string target,
        IReadOnlyList<byte[]> seeds,
        int defaultIterations,
        Action<byte[]> execute,
        Func<Exception, bool> documented,
        IReadOnlyList<byte[]>? dictionary = null,
        Func<Random, byte[], byte[]>? postProcess = null,
        TimeSpan? perInput = null)
    {
        seeds.Should().NotBeEmpty();
        int seed = Seed;
        int iterations = Iterations(defaultIterations);
        // Generous: the slowest legitimate input takes milliseconds, but CI machines are shared.
        TimeSpan bound = perInput ?? TimeSpan.FromSeconds(10);
        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz {target}: seed {seed} (BADGEISSUER_FUZZ_SEED), {iterations} iterations (BADGEISSUER_FUZZ_ITERATIONS), {seeds.Count} kept inputs");
        var random = new Random(HashCode.Combine(seed, StableHash(target)));
        var clock = Stopwatch.StartNew();
        for (int i = -seeds.Count; i < iterations; i++)
        {
            byte[] input = i < 0 ? seeds[i + seeds.Count] : Mutate(random, seeds, dictionary);
            if (i >= 0 && postProcess is not null)
            {
                input = postProcess(random, input);
            }

            Exception? failure = RunOne(input, execute, documented, bound);
            if (failure is not null)
            {
                string file = Path.Combine(Path.GetTempPath(), $"badgeissuer-fuzz-{target}-{seed}-{i}.bin");
                File.WriteAllBytes(file, input);
                Assert.Fail($"fuzz {target}: seed {seed}, iteration {i}: {failure.GetType().FullName}: {failure.Message}\n"
                    + $"input ({input.Length} bytes) written to {file}; keep it under Fuzz/regressions/{target}/.\nbase64: {Convert.ToBase64String(input.AsSpan(0, Math.Min(input.Length, 4096)))}\n{failure}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"fuzz {target}: {iterations + seeds.Count} inputs in {clock.ElapsedMilliseconds} ms");
    }

    private static Exception? RunOne(byte[] input, Action<byte[]> execute, Func<Exception, bool> documented, TimeSpan bound)
    {
        Exception? thrown = null;
        var worker = new Thread(() =>
        {
            try
            {
                execute(input);
            }
            catch (Exception ex) when (documented(ex))
            {
                // A documented failure is a result.
            }
            catch (Exception ex)
            {
                thrown = ex;
            }
        }) { IsBackground = true };
        worker.Start();
        if (!worker.Join(bound))
        {
            return new TimeoutException($"no result within {bound.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (the worker thread is left behind)");
        }

        return thrown;
    }

    /// <summary>One to four mutations of a random seed.</summary>
    public static byte[] Mutate(Random random, IReadOnlyList<byte[]> seeds, IReadOnlyList<byte[]>? dictionary = null)
    {
        var data = new List<byte>(seeds[random.Next(seeds.Count)]);
        int count = 1 + random.Next(4);
        for (int m = 0; m < count; m++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(dictionary is null ? 8 : 9))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = s_interesting[random.Next(s_interesting.Length)];
                    break;
                case 2:
                    data.RemoveRange(at, data.Count - at);
                    break;
                case 3:
                    byte[] insert = new byte[1 + random.Next(16)];
                    random.NextBytes(insert);
                    data.InsertRange(at, insert);
                    break;
                case 4 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                    break;
                case 5 when data.Count > 0:
                    // Repeat a range (nesting, long runs).
                    int length = Math.Min(data.Count - at, 1 + random.Next(32));
                    List<byte> range = data.GetRange(at, length);
                    int times = 1 + random.Next(random.Next(2) == 0 ? 4 : 200);
                    for (int t = 0; t < times; t++)
                    {
                        data.InsertRange(at, range);
                    }

                    break;
                case 6:
                    // Splice: a piece of another seed.
                    byte[] other = seeds[random.Next(seeds.Count)];
                    if (other.Length > 0)
                    {
                        int from = random.Next(other.Length);
                        data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + random.Next(256))).ToArray());
                    }

                    break;
                case 7 when data.Count > 1:
                    // Swap two bytes.
                    int with = random.Next(data.Count);
                    (data[at], data[with]) = (data[with], data[at]);
                    break;
                case 8:
                    data.InsertRange(at, dictionary![random.Next(dictionary.Count)]);
                    break;
            }
        }

        return [.. data];
    }

    public static byte[][] Tokens(params string[] tokens) => [.. tokens.Select(Encoding.UTF8.GetBytes)];

    private static int StableHash(string text)
    {
        int hash = 17;
        foreach (char c in text)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash;
    }
}
