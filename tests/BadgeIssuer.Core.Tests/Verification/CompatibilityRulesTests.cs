using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>
/// The two compatibility rules Data Integrity canonicalization follows (docs/verification.md, "Compatibility rules"):
/// base direction as <c>https://www.w3.org/ns/i18n#{language}_{direction}</c> datatypes (jsonld-signatures'
/// <c>rdfDirection: "i18n-datatype"</c>) and a context-array element <c>{"@context": {…}}</c> read as the context it
/// wraps (jsonld.js).
/// </summary>
public sealed class CompatibilityRulesTests
{
    private const string Arabic = """{"@value": "شارة العمل الجماعي", "@language": "ar", "@direction": "rtl"}""";
    private const string ArabicDescription = """{"@value": "عمل مع الآخرين", "@language": "ar-EG", "@direction": "rtl"}""";

    [Fact]
    public void Sign_VcNameAndDescriptionWithDirection_VerifiesAndSignsTheI18nDatatype()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = W3cCredential();
        credential["name"] = JsonNode.Parse(Arabic);
        credential["description"] = JsonNode.Parse(ArabicDescription);

        using JsonDocument signed = JsonDocument.Parse(issuer.Sign(credential));

        EddsaRdfc2022.VerifyAll(signed.RootElement, new DataIntegrity.FragmentKeyResolver()).Should().ContainSingle().Which.Verified.Should().BeTrue();
        string nquads = JsonLdProcessor.CanonicalizeWithout(signed.RootElement, "proof", DataIntegrityOptions.Default.JsonLd);
        nquads.Should().Contain("<https://schema.org/name> \"شارة العمل الجماعي\"^^<https://www.w3.org/ns/i18n#ar_rtl>");
        nquads.Should().Contain("<https://schema.org/description> \"عمل مع الآخرين\"^^<https://www.w3.org/ns/i18n#ar-eg_rtl>");
    }

    [Fact]
    public void Verify_DirectionChangedAfterSigning_SignatureInvalid()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = W3cCredential();
        credential["name"] = JsonNode.Parse(Arabic);
        JsonNode signed = issuer.SignToNode(credential);
        signed["name"]!["@direction"] = "ltr";

        using JsonDocument tampered = JsonDocument.Parse(signed.ToJsonString());

        EddsaRdfc2022.VerifyAll(tampered.RootElement, new DataIntegrity.FragmentKeyResolver()).Should().ContainSingle().Which.Failure.Should().Be(ProofFailure.SignatureInvalid);
    }

    [Fact]
    public void Sign_DirectionWithoutTheI18nRule_CanonicalizationFails()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = W3cCredential();
        credential["name"] = JsonNode.Parse(Arabic);
        using JsonDocument doc = JsonDocument.Parse(credential.ToJsonString());
        var strict = new DataIntegrityOptions { JsonLd = new JsonLdOptions { SafeMode = true } };

        FluentActions.Invoking(() => EddsaRdfc2022.Sign(doc.RootElement, new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now }, issuer.Key, strict))
            .Should().Throw<JsonLdException>().Which.Code.Should().Be(JsonLdErrorCode.SafeModeDroppedValue);
    }

    // OB 3.0's JSON Schema types the credential's, the achievement's and the issuer profile's name and description as
    // strings: a value object there signs and its proof verifies, but the schema step fails.
    [Fact]
    public async Task Verify_OpenBadgeNameWithDirection_ProofPassesSchemaFails()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["name"] = JsonNode.Parse(Arabic);

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(issuer.Sign(credential), TestContext.Current.CancellationToken);

        report.Verified.Should().BeFalse(Describe(report));
        report.Checks.Should().Contain(c => c.Name.StartsWith(CheckNames.Proof, StringComparison.Ordinal) && c.Status == CheckStatus.Passed, Describe(report));
        Single(report, CheckNames.Schema).Status.Should().Be(CheckStatus.Failed);
        Single(report, CheckNames.Schema).Message.Should().Contain("$.name").And.Contain("should be \"string\"");
    }

    // The AchievementSubject schema allows further members, and VC 2.0 defines name and description for any node:
    // that is where an OB credential can carry a direction-tagged text and verify in full.
    [Fact]
    public async Task Verify_OpenBadgeSubjectNameWithDirection_Verified()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialSubject"]!["name"] = JsonNode.Parse(Arabic);
        credential["credentialSubject"]!["description"] = JsonNode.Parse(ArabicDescription);

        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(issuer.Sign(credential), TestContext.Current.CancellationToken);

        report.Verified.Should().BeTrue(Describe(report));
    }

    [Fact]
    public async Task Verify_NestedContextObjectInContextArray_Verified()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["@context"]!.AsArray().Add(JsonNode.Parse("""{"@context": {"nickname": "https://schema.org/alternateName"}}"""));
        credential["nickname"] = "Teamwork";

        byte[] signed = issuer.Sign(credential);
        VerificationReport report = await ReportAssert.Verifier().VerifyAsync(signed, TestContext.Current.CancellationToken);

        report.Verified.Should().BeTrue(Describe(report));
        using JsonDocument doc = JsonDocument.Parse(signed);
        JsonLdProcessor.CanonicalizeWithout(doc.RootElement, "proof", DataIntegrityOptions.Default.JsonLd).Should().Contain("<https://schema.org/alternateName> \"Teamwork\"");
    }

    [Fact]
    public void Sign_NestedContextObjectWithoutTheRule_KeywordRedefinition()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["@context"]!.AsArray().Add(JsonNode.Parse("""{"@context": {"nickname": "https://schema.org/alternateName"}}"""));
        credential["nickname"] = "Teamwork";
        using JsonDocument doc = JsonDocument.Parse(credential.ToJsonString());
        var strict = new DataIntegrityOptions { JsonLd = new JsonLdOptions { SafeMode = true, RdfDirection = RdfDirection.I18nDatatype } };

        FluentActions.Invoking(() => EddsaRdfc2022.Sign(doc.RootElement, new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now }, issuer.Key, strict))
            .Should().Throw<JsonLdException>().Which.Code.Should().Be(JsonLdErrorCode.KeywordRedefinition);
    }

    /// <summary>A plain VC 2.0 credential (the W3C examples context has an <c>@vocab</c>), issuer to be filled in.</summary>
    private static JsonObject W3cCredential() => new()
    {
        ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"),
        ["id"] = "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        ["type"] = new JsonArray("VerifiableCredential", "AlumniCredential"),
        ["issuer"] = "https://vc.example/issuers/5678",
        ["validFrom"] = "2023-01-01T00:00:00Z",
        ["credentialSubject"] = new JsonObject { ["id"] = "did:example:abcdefgh", ["alumniOf"] = "The School of Examples" },
    };
}
