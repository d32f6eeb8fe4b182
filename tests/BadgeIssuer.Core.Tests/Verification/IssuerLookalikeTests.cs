using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>
/// Security review: lookalike spellings of a known issuer (trailing dot, empty query, full-width host) get no fragment
/// trust. A non-empty query names another resource (issuers may be hosted as …?id=N) and is compared as written.
/// </summary>
public sealed class IssuerLookalikeTests
{
    private const string ListedHttps = "https://partner.example/issuers/7";

    [Theory]
    [InlineData("https://partner.example./issuers/7")]
    [InlineData("https://partner.example/issuers/7?")]
    [InlineData("https://\uFF50artner.example/issuers/7")]
    [InlineData("did:web:partner.example.:issuers:7")]
    public async Task Lookalike_spelling_of_a_known_issuer_gets_no_fragment_trust(string spelling)
    {
        using TestIssuer partner = TestIssuer.CreateHttps(ListedHttps);
        using TestIssuer attacker = TestIssuer.CreateHttps(spelling);
        KnownIssuers known = KnownIssuers.Parse(System.Text.Encoding.UTF8.GetBytes($$"""
            [{"id": "{{ListedHttps}}", "name": "Partner", "verificationMethod": "#{{partner.Key.Ed25519PublicKey.PublicKeyMultibase}}", "publicKeyMultibase": "{{partner.Key.Ed25519PublicKey.PublicKeyMultibase}}"}]
            """));
        VerificationReport report = await ReportAssert.Verifier(trustFragment: true, knownIssuers: known)
            .VerifyAsync(attacker.Sign(TestDocuments.Credential(spelling)), TestContext.Current.CancellationToken);
        report.Verified.Should().BeFalse("an attacker key verified for a spelling that names the known issuer's location");
    }
}
