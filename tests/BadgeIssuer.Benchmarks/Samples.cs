namespace BadgeIssuer.Benchmarks;

/// <summary>Finds <c>samples/</c>: BenchmarkDotNet runs a generated host from a sub-folder of this project's output, so look upwards.</summary>
internal static class Samples
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "samples");
            if (File.Exists(Path.Combine(candidate, "ob-credential.json")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("samples/ob-credential.json not found above " + AppContext.BaseDirectory);
    }
}
