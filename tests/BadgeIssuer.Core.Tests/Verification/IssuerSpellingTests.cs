using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>
/// Security review, "fragment trust": an issuer known here (listed or hosted), named in any equivalent spelling, is
/// authenticated only by a key of its own document; an attacker's fragment or header key fails the issuer-key step even
/// with the trustVerificationMethodFragment policy on.
/// </summary>
public sealed class IssuerSpellingTests
{
    private const string ListedHttps = "https://partner.example/issuers/7";
    private const string ListedDidWeb = "did:web:partner.example%3A8443:issuers:7";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> HttpsSpellings => new(
        ListedHttps,
        "https://PARTNER.example/issuers/7",
        "https://partner.example:443/issuers/7",
        "https://partner.example/issuers/7/",
        "https://partner.example/issuers/%37",
        "http://partner.example/issuers/7",
        "https://partner.example/issuers/7/did.json",
        "did:web:partner.example:issuers:7");

    public static TheoryData<string> DidWebSpellings => new(
        ListedDidWeb,
        "did:web:partner.example%3a8443:issuers:7",
        "did:web:PARTNER.Example%3A8443:issuers:7",
        "did:web:partner.example%3A8443:issuers:%37",
        "https://partner.example:8443/issuers/7");

    [Theory]
    [MemberData(nameof(HttpsSpellings))]
    public async Task KnownHttpsIssuer_AnySpelling_AttackerFragmentKeyFailsEvenWithTrustOn(string spelling)
    {
        using TestIssuer partner = TestIssuer.CreateHttps(ListedHttps);
        using TestIssuer attacker = TestIssuer.CreateHttps(spelling);
        KnownIssuers known = Listed(partner, ListedHttps);

        VerificationReport report = await Verifier(trustFragment: true, knownIssuers: known).VerifyAsync(attacker.Sign(TestDocuments.Credential(spelling)), Ct);

        AssertIssuerKeyFailed(report, spelling);
    }

    [Theory]
    [MemberData(nameof(DidWebSpellings))]
    public async Task KnownDidWebIssuer_AnySpelling_AttackerFragmentKeyFailsEvenWithTrustOn(string spelling)
    {
        using TestIssuer partner = TestIssuer.CreateHttps(ListedDidWeb);
        using TestIssuer attacker = TestIssuer.CreateHttps(spelling);
        KnownIssuers known = Listed(partner, ListedDidWeb);

        VerificationReport report = await Verifier(trustFragment: true, knownIssuers: known).VerifyAsync(attacker.Sign(TestDocuments.Credential(spelling)), Ct);

        AssertIssuerKeyFailed(report, spelling);
    }

    [Theory]
    [MemberData(nameof(HttpsSpellings))]
    public async Task KnownIssuer_AnySpelling_VcJwtWithAnAttackersHeaderJwkOrFragmentKidFails(string spelling)
    {
        using TestIssuer partner = TestIssuer.CreateHttps(ListedHttps);
        using TestIssuer attacker = TestIssuer.CreateHttps(spelling);
        CredentialVerifier verifier = Verifier(trustFragment: true, knownIssuers: Listed(partner, ListedHttps));
        JsonObject credential = TestDocuments.Credential(spelling);

        VerificationReport jwk = await verifier.VerifyAsync(Encoding.ASCII.GetBytes(attacker.SignJwt(credential, includeJwk: true)), Ct);
        VerificationReport kid = await verifier.VerifyAsync(Encoding.ASCII.GetBytes(attacker.SignJwt(credential)), Ct);

        Single(jwk, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        Single(jwk, CheckNames.IssuerKey).Message.Should().Be($"the token's jwk is not a key of the issuer '{spelling}', whose keys are known here");
        jwk.Verified.Should().BeFalse(Describe(jwk));
        AssertIssuerKeyFailed(kid, spelling);
    }

    [Theory]
    [MemberData(nameof(HttpsSpellings))]
    public async Task KnownIssuer_AnySpelling_ItsOwnKeyStillAuthenticates(string spelling)
    {
        using TestIssuer partner = TestIssuer.CreateHttps(ListedHttps);
        CredentialVerifier verifier = Verifier(knownIssuers: Listed(partner, ListedHttps));

        // The method URL as listed, as the credential spells the issuer, and the key as a VC-JWT header jwk.
        VerificationReport listed = await verifier.VerifyAsync(partner.Sign(TestDocuments.Credential(spelling)), Ct);
        VerificationReport respelled = await verifier.VerifyAsync(partner.Sign(TestDocuments.Credential(spelling), spelling + "#" + partner.Key.Ed25519PublicKey.PublicKeyMultibase), Ct);
        VerificationReport jwt = await verifier.VerifyAsync(Encoding.ASCII.GetBytes(partner.SignJwt(TestDocuments.Credential(spelling), includeJwk: true)), Ct);

        foreach (VerificationReport report in (VerificationReport[])[listed, respelled, jwt])
        {
            report.Verified.Should().BeTrue(Describe(report));
            Single(report, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Passed);
            Single(report, CheckNames.KnownIssuer).Status.Should().Be(CheckStatus.Passed);
        }
    }

    [Fact]
    public async Task KnownIssuerWithoutKeys_OtherSpelling_FragmentTrustNeverApplies()
    {
        KnownIssuers known = KnownIssuers.Parse(Encoding.UTF8.GetBytes($$"""[{"id": "{{ListedHttps}}", "name": "Partner"}]"""));
        using TestIssuer attacker = TestIssuer.CreateHttps("https://Partner.Example/issuers/7");

        VerificationReport report = await Verifier(trustFragment: true, knownIssuers: known).VerifyAsync(attacker.Sign(TestDocuments.Credential(attacker.Id)), Ct);

        VerificationCheck key = Single(report, CheckNames.IssuerKey);
        key.Status.Should().Be(CheckStatus.Failed);
        key.Message.Should().Be($"the signing key is not authenticated, and the issuer '{attacker.Id}' is known here: a key the credential only names is never trusted for it");
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public void KnownIssuers_TwoSpellingsOfOneIssuer_IsAFormatError()
    {
        FormatException ex = FluentActions.Invoking(() => KnownIssuers.Parse(Encoding.UTF8.GetBytes("""[{"id": "https://a.example/x"}, {"id": "https://A.example/x/"}]"""))).Should().ThrowExactly<FormatException>().Which;
        ex.Message.Should().Contain("names the same issuer as 'https://a.example/x'");
    }

    [Fact]
    public async Task HostedIssuer_ProfileUrlOrOtherDidSpelling_OnlyTheHostedDocumentAuthenticates()
    {
        const string did = "did:web:localhost%3A5181:issuers:default";
        using TestIssuer hosted = TestIssuer.CreateHttps(did);
        var registry = new LocalControllerRegistry();
        registry.Register(Encoding.UTF8.GetBytes($$"""
            {"id": "{{did}}", "verificationMethod": [{"id": "{{did}}#key-1", "type": "Multikey", "controller": "{{did}}", "publicKeyMultibase": "{{hosted.Key.Ed25519PublicKey.PublicKeyMultibase}}"}], "assertionMethod": ["{{did}}#key-1"]}
            """));
        ResolvedVerificationMethod own = (await registry.ResolveVerificationMethodAsync(did + "#key-1", Ct)).Method!;
        var principal = new KnownIssuer(did, null, [own]);
        CredentialVerifier verifier = new(new CredentialVerifierOptions
        {
            TimeProvider = new FixedTimeProvider(TestClock.Now),
            TrustVerificationMethodFragment = true,
            Resolver = new CompositeVerificationMethodResolver([registry, UnverifiedFragmentKeyResolver.Instance]),
            FindHostedIssuer = (id, _) => ValueTask.FromResult(IdentifierEquivalence.AreEquivalent(id, did) ? principal : null),
        });

        foreach (string spelling in (string[])["http://localhost:5181/issuers/default", "did:web:localhost%3a5181:issuers:default", "did:web:LocalHost%3A5181:issuers:default"])
        {
            using TestIssuer attacker = TestIssuer.CreateHttps(spelling);
            AssertIssuerKeyFailed(await verifier.VerifyAsync(attacker.Sign(TestDocuments.Credential(spelling)), Ct), spelling);

            // The profile URL is another name of the hosted issuer: its real key (the did:web method) authenticates it.
            VerificationReport real = await verifier.VerifyAsync(hosted.Sign(TestDocuments.Credential(spelling), did + "#key-1"), Ct);
            real.Verified.Should().BeTrue(Describe(real));
            Single(real, CheckNames.KnownIssuer).Message.Should().Be($"the issuer '{spelling}' is hosted by this service");
        }
    }

    private static KnownIssuers Listed(TestIssuer issuer, string id)
        => KnownIssuers.Parse(Encoding.UTF8.GetBytes($$"""
            [{"id": "{{id}}", "name": "Partner", "verificationMethod": "#{{issuer.Key.Ed25519PublicKey.PublicKeyMultibase}}", "publicKeyMultibase": "{{issuer.Key.Ed25519PublicKey.PublicKeyMultibase}}"}]
            """));

    private static void AssertIssuerKeyFailed(VerificationReport report, string issuer)
    {
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        VerificationCheck key = Single(report, CheckNames.IssuerKey);
        key.Status.Should().Be(CheckStatus.Failed);
        key.Message.Should().Be($"the signing key is not one of the keys of the issuer '{issuer}', whose key document is known here");
        report.Verified.Should().BeFalse(Describe(report));
    }
}
