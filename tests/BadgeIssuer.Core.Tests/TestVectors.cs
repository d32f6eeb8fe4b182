using System.Text.Json;

namespace BadgeIssuer.Core.Tests;

/// <summary>Access to the copied specification vectors under TestData/vectors (see PROVENANCE.md there).</summary>
internal static class TestVectors
{
    public static string Root { get; } = Path.Combine(AppContext.BaseDirectory, "TestData", "vectors");

    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Text(string relative) => File.ReadAllText(PathOf(relative));

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static JsonElement Json(string relative)
    {
        using JsonDocument doc = JsonDocument.Parse(Bytes(relative));
        return doc.RootElement.Clone();
    }
}
