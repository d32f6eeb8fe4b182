using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>Shorthands over a <see cref="VerificationReport"/>.</summary>
internal static class ReportAssert
{
    public static VerificationCheck Single(VerificationReport report, string name) => report.Checks.Should().ContainSingle(c => c.Name == name).Which;

    public static string Describe(VerificationReport report)
        => string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}"));

    public static JsonDocument ToJson(VerificationReport report)
    {
        using var ms = new MemoryStream();
        using (var writer = new Utf8JsonWriter(ms))
        {
            report.WriteTo(writer);
        }

        return JsonDocument.Parse(ms.ToArray());
    }

    public static CredentialVerifier Verifier(
        IStatusListCredentialSource? statusLists = null,
        DateTimeOffset? now = null,
        bool trustFragment = false,
        KnownIssuers? knownIssuers = null,
        Func<string, CancellationToken, ValueTask<bool>>? hosted = null,
        int maxEndorsementDepth = 3,
        int maxEndorsements = 16,
        string? recipient = null)
        => new(new CredentialVerifierOptions
        {
            TimeProvider = new FixedTimeProvider(now ?? TestClock.Now),
            StatusLists = statusLists,
            TrustVerificationMethodFragment = trustFragment,
            KnownIssuers = knownIssuers,
            IsHostedIssuer = hosted,
            MaxEndorsementDepth = maxEndorsementDepth,
            MaxEndorsements = maxEndorsements,
            ExpectedRecipient = recipient,
        });

    /// <summary>
    /// Empty 1EdTech revocation lists at the URLs the spec examples name (nothing is revoked): with no list at all their
    /// status is unknown, and an unknown status fails verification (fail closed).
    /// </summary>
    public static InMemoryStatusListSource SpecExampleRevocationLists()
    {
        var source = new InMemoryStatusListSource();
        foreach (string url in (string[])["https://1edtech.edu/credentials/3732/revocations", "https://state.gov/credentials/3732/revocations"])
        {
            source.Add(url, Encoding.UTF8.GetBytes($$"""{"id": "{{url}}", "type": "1EdTechRevocationList", "revokedCredential": []}"""));
        }

        return source;
    }

    /// <summary>The spec examples' fictional issuers (TestData/known-issuers, see PROVENANCE.md there).</summary>
    public static KnownIssuers SpecExampleIssuers { get; } = KnownIssuers.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "known-issuers", "ob-spec-example-issuers.json"));
}
