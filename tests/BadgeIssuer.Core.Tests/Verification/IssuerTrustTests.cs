using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class IssuerTrustTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> SpecExamples => new(
        "ob-v3p0-spec-examples/sample-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/sample-openbadgecredential-file-contents.signed-di.json",
        "ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/sample-endorsementcredential.signed-di.json",
        "ob-v3p0-spec-examples/skill-assertion-case.signed-di.json",
        "ob-v3p0-spec-examples/skill-assertion-credential-registry.signed-di.json",
        "ob-v3p0-spec-examples/achievement-alignment-case.signed-di.json",
        "ob-v3p0-spec-examples/achievement-alignment-credential-engine.signed-di.json",
        "ob-v3p0-spec-examples/sample-openbadgecredential.jwt",
        "ob-v3p0-spec-examples/complete-openbadgecredential.jwt",
        "ob-v3p0-spec-examples/sample-endorsementcredential.jwt",
        "ob-v3p0-spec-examples/achievement-alignment-case.jwt",
        "1edtech-validator-fixtures/simple.json",
        "1edtech-validator-fixtures/simple_v1.json",
        "1edtech-validator-fixtures/simple-eddsa-2022.json",
        "1edtech-validator-fixtures/endorsement-valid.json",
        "1edtech-validator-fixtures/baked/simple-json.png",
        "1edtech-validator-fixtures/baked/simple-jwt.svg",
        "1edtech-validator-fixtures/baked/simple-jwt_v1.png");

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public async Task SpecExample_WithKnownIssuers_VerifiesWithTheIssuerAuthenticated(string file)
    {
        VerificationReport report = await Verifier(SpecExampleRevocationLists(), knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes(file), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Checks.Where(c => c.Name == CheckNames.IssuerKey).Should().AllSatisfy(c => c.Status.Should().Be(CheckStatus.Passed));
        Single(report, CheckNames.KnownIssuer).Status.Should().Be(CheckStatus.Passed);
        report.IssuerKeyUntrusted.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public async Task SpecExample_WithoutKnownIssuers_IsNotVerifiedUnlessFragmentKeysAreTrusted(string file)
    {
        VerificationReport strict = await Verifier(SpecExampleRevocationLists()).VerifyAsync(TestVectors.Bytes(file), Ct);
        VerificationReport trusting = await Verifier(SpecExampleRevocationLists(), trustFragment: true).VerifyAsync(TestVectors.Bytes(file), Ct);

        strict.Verified.Should().BeFalse();
        strict.IssuerKeyUntrusted.Should().BeTrue(Describe(strict));
        VerificationCheck key = Single(strict, CheckNames.IssuerKey);
        // verified:false always names its reason among the errors: the issuer-key step fails (with trust on it is a warning).
        key.Status.Should().Be(CheckStatus.Failed);
        key.Message.Should().StartWith("issuer key not authenticated: ");
        strict.Errors.Should().Equal([key.Message]);
        strict.Verdict.Should().StartWith("Not valid: the signature verifies, but its key is not authenticated as the issuer's");

        trusting.Verified.Should().BeTrue(Describe(trusting));
        Single(trusting, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Warning);
        Single(trusting, CheckNames.IssuerKey).Message.Should().Contain("accepted under the trustVerificationMethodFragment policy");
        Single(trusting, CheckNames.KnownIssuer).Status.Should().Be(CheckStatus.Warning);
    }

    [Fact]
    public async Task ForRequest_TrustPolicyOverride_AppliesToThatRequestOnly()
    {
        byte[] input = TestVectors.Bytes("1edtech-validator-fixtures/simple.json");
        CredentialVerifier shared = Verifier();

        (await shared.ForRequest(null, trustVerificationMethodFragment: true).VerifyAsync(input, Ct)).Verified.Should().BeTrue();
        (await shared.VerifyAsync(input, Ct)).Verified.Should().BeFalse();
    }

    [Fact]
    public async Task HttpsIssuer_SignedWithAnUnrelatedDidKey_FailsTheBinding()
    {
        using TestIssuer signer = TestIssuer.Create();
        byte[] signed = signer.Sign(TestDocuments.Credential("https://university.example/issuers/1"));

        foreach (bool trust in (bool[])[false, true])
        {
            VerificationReport report = await Verifier(trustFragment: trust).VerifyAsync(signed, Ct);

            Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
            VerificationCheck key = Single(report, CheckNames.IssuerKey);
            key.Status.Should().Be(CheckStatus.Failed);
            key.Message.Should().Be($"the signing key is controlled by '{signer.Id}', not by the issuer 'https://university.example/issuers/1'");
            report.Verified.Should().BeFalse();
        }
    }

    [Fact]
    public async Task HttpsIssuer_FragmentKeyOfAnotherIssuer_FailsTheBinding()
    {
        using TestIssuer other = TestIssuer.CreateHttps("https://other.example/issuers/2");
        byte[] signed = other.Sign(TestDocuments.Credential("https://university.example/issuers/1"));

        VerificationReport report = await Verifier(trustFragment: true).VerifyAsync(signed, Ct);

        Single(report, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task DidKeyIssuer_SelfCertifying_IsAuthenticatedButUnknown()
    {
        using TestIssuer issuer = TestIssuer.Create();

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(TestDocuments.Credential(issuer.Id)), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        Single(report, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Passed);
        VerificationCheck known = Single(report, CheckNames.KnownIssuer);
        known.Status.Should().Be(CheckStatus.Warning);
        known.Message.Should().Be($"the issuer '{issuer.Id}' is not on this verifier's list of known issuers");
    }

    [Fact]
    public async Task KnownIssuer_ListedWithoutKeys_PassesWhenItsDidKeyVerifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        KnownIssuers known = KnownIssuers.Parse(Encoding.UTF8.GetBytes($$"""[{"id": "{{issuer.Id}}", "name": "Partner College"}]"""));

        VerificationReport report = await Verifier(knownIssuers: known).VerifyAsync(issuer.Sign(TestDocuments.Credential(issuer.Id)), Ct);

        VerificationCheck check = Single(report, CheckNames.KnownIssuer);
        check.Status.Should().Be(CheckStatus.Passed);
        check.Message.Should().Be($"the issuer 'Partner College' ({issuer.Id}) is on the list of known issuers");
    }

    [Fact]
    public async Task HostedIssuer_PredicateSaysHosted_PassesTheKnownIssuerStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        var asked = new List<string>();

        VerificationReport report = await Verifier(hosted: (id, _) =>
        {
            asked.Add(id);
            return ValueTask.FromResult(string.Equals(id, issuer.Id, StringComparison.Ordinal));
        }).VerifyAsync(issuer.Sign(TestDocuments.Credential(issuer.Id)), Ct);

        VerificationCheck check = Single(report, CheckNames.KnownIssuer);
        check.Status.Should().Be(CheckStatus.Passed);
        check.Message.Should().Be($"the issuer '{issuer.Id}' is hosted by this service");
        asked.Should().Equal([issuer.Id]);
    }

    [Fact]
    public async Task KnownIssuer_BareMultikeyEntry_AuthenticatesTheHttpsIssuer()
    {
        using TestIssuer issuer = TestIssuer.CreateHttps("https://partner.example/issuers/7");
        string json = $$"""
            [{"id": "https://partner.example/issuers/7", "name": "Partner", "verificationMethod": "#{{issuer.Key.Ed25519PublicKey.PublicKeyMultibase}}", "publicKeyMultibase": "{{issuer.Key.Ed25519PublicKey.PublicKeyMultibase}}"}]
            """;
        KnownIssuers known = KnownIssuers.Parse(Encoding.UTF8.GetBytes(json));

        VerificationReport report = await Verifier(knownIssuers: known).VerifyAsync(issuer.Sign(TestDocuments.Credential(issuer.Id)), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        Single(report, CheckNames.IssuerKey).Message.Should().Be("the key is controlled by the issuer 'https://partner.example/issuers/7' (locally registered key)");
    }

    [Fact]
    public async Task KnownIssuers_Parse_ResolvesMethodsAndDocuments()
    {
        KnownIssuers known = SpecExampleIssuers;

        known.Count.Should().Be(5);
        KnownIssuer edu = known.Find("https://example.edu/issuers/565049")!;
        edu.Name.Should().Be("Example University");
        edu.VerificationMethods.Count.Should().Be(4);
        edu.VerificationMethods.Should().AllSatisfy(m => m.Provenance.Should().Be(KeyProvenance.LocallyRegistered));
        VerificationMethodResolution resolved = await known.ResolveVerificationMethodAsync("https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", Ct);
        resolved.Succeeded.Should().BeTrue();
        (await known.ResolveDidAsync("https://state.gov/issuers/565049", Ct)).Succeeded.Should().BeTrue();
        known.Contains("https://unknown.example").Should().BeFalse();
    }

    [Theory]
    [InlineData("{}", "JSON array")]
    [InlineData("""[{"name": "x"}]""", "known issuer [0]: 'id'")]
    [InlineData("""[{"id": "https://a.example#frag"}]""", "without a fragment")]
    [InlineData("""[{"id": "https://a.example"}, {"id": "https://a.example"}]""", "known issuer [1]: 'https://a.example' is listed twice")]
    [InlineData("""[{"id": "https://a.example", "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]""", "'verificationMethod'")]
    [InlineData("""[{"id": "https://a.example", "verificationMethod": "https://b.example#k", "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]""", "'<issuer id>#<fragment>'")]
    [InlineData("""[{"id": "https://a.example", "verificationMethod": "#k", "publicKeyMultibase": "z6Mk-not-a-key"}]""", "known issuer [0]")]
    [InlineData("""[{"id": "https://a.example", "controllerDocument": {"id": "https://b.example"}}]""", "whose id is the issuer id")]
    [InlineData("""[{"id": "https://a.example", "didDocument": {}, "publicKeyMultibase": "z"}]""", "Give one of")]
    public void KnownIssuers_Malformed_ThrowsFormatExceptionNamingTheEntry(string json, string expected)
    {
        FormatException ex = FluentActions.Invoking(() => KnownIssuers.Parse(Encoding.UTF8.GetBytes(json))).Should().ThrowExactly<FormatException>().Which;
        ex.Message.Should().Contain(expected);
    }

    [Fact]
    public async Task Jwt_HeaderJwkOfAKnownIssuer_IsAuthenticatedOtherwiseAFailure()
    {
        using TestIssuer issuer = TestIssuer.CreateHttps("https://partner.example/issuers/9");
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        byte[] jwt = Encoding.ASCII.GetBytes(issuer.SignJwt(credential, includeJwk: true));
        string jwk = Encoding.UTF8.GetString(issuer.Key.Ed25519PublicKey.ExportJwk());
        KnownIssuers known = KnownIssuers.Parse(Encoding.UTF8.GetBytes($$"""[{"id": "{{issuer.Id}}", "verificationMethod": "#jwk", "publicKeyJwk": {{jwk}}}]"""));

        VerificationReport unknown = await Verifier().VerifyAsync(jwt, Ct);
        VerificationReport listed = await Verifier(knownIssuers: known).VerifyAsync(jwt, Ct);

        Single(unknown, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Failed);
        unknown.Verified.Should().BeFalse();
        Single(listed, CheckNames.IssuerKey).Message.Should().Be($"the token's jwk is the key {issuer.Id}#jwk of the known issuer '{issuer.Id}'");
        listed.Verified.Should().BeTrue(Describe(listed));
    }
}
