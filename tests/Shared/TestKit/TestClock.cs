namespace BadgeIssuer.Tests.Shared;

/// <summary>The fixed "now" of the tests: the service's clock in the Api tests, the verifier's in the Core tests.</summary>
internal static class TestClock
{
    public static readonly DateTimeOffset Now = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
}
