using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class SignedVocabularyTests
{
    private const string JffPrefix = "https://imsglobal.github.io/openbadges-specification/ob_v3p0.html#";

    [Theory]
    [InlineData(JffPrefix + "OpenBadgeCredential")]
    [InlineData(JffPrefix + "EndorsementCredential")]
    public void CompactClass_CompatibilityContextClass_StaysAFullIri_NotAnObName(string iri)
    {
        // The JFF plugfest context names its own IRIs OpenBadgeCredential, EndorsementCredential, …: a credential typed
        // with them must not read as an OB 3.0 credential in the signed view.
        SignedVocabulary.Shared.CompactClass(iri).Should().Be(iri);
    }

    [Theory]
    [InlineData(JffPrefix + "Achievement")]
    [InlineData(JffPrefix + "identityHash")]
    [InlineData("http://www.w3.org/ns/odrl/2/status")]
    [InlineData("http://schema.org/identifier")]
    public void Compact_CompatibilityContextProperty_StaysAFullIri(string iri)
    {
        SignedVocabulary.Shared.Compact(iri).Should().Be(iri);
    }

    [Fact]
    public void Compact_ObProperties_KeepTheirNames()
    {
        SignedVocabulary.Shared.CompactClass("https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential").Should().Be("OpenBadgeCredential");
        SignedVocabulary.Shared.Compact("https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement").Should().Be("achievement");
    }
}
