using BenchmarkDotNet.Running;

namespace BadgeIssuer.Benchmarks;

/// <summary>The entry point (not top-level statements: <c>Program</c> is the service's, which <see cref="HttpPipelineBenchmarks"/> hosts).</summary>
public static class BenchmarkProgram
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(BenchmarkProgram).Assembly).Run(args);
}
