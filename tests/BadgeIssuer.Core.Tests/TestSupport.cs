using System.Text.Json;

namespace BadgeIssuer.Core.Tests;

/// <summary>Reads files copied to the output folder under TestData/ (never from outside the repo).</summary>
internal static class TestFiles
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "TestData", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static string Text(string relative) => File.ReadAllText(PathOf(relative)).Trim();

    public static JsonDocument Json(string relative) => JsonDocument.Parse(Bytes(relative));
}

/// <summary>A clock the test sets.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
