namespace BadgeIssuer.Core.Tests;

// Test data is copied to the output folder (TestData/**); nothing is read from shared/ at run time.
internal static class TestFiles
{
    public static string PathOf(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", "vectors", .. parts]);

    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(PathOf(parts));

    public static string Text(params string[] parts) => File.ReadAllText(PathOf(parts));
}
