using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Identifiers;
using BadgeIssuer.Core.Keys;
using BadgeIssuer.Core.Verification;
using BadgeIssuer.JsonLd;

namespace BadgeIssuer.Api.Tests.Interop;

/// <summary>
/// The two Data Integrity compatibility rules (docs/verification.md) against the JavaScript stack, both ways: base
/// direction canonicalized as <c>i18n-datatype</c> literals (jsonld-signatures / eddsa-rdfc-2022-cryptosuite pass
/// <c>rdfDirection: "i18n-datatype"</c>) and a context-array element <c>{"@context": {…}}</c> unwrapped (jsonld.js).
/// </summary>
public sealed class CompatibilityInteropTests
{
    private const string Seed = "4f3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e";
    private const string ArabicName = "شارة العمل الجماعي";

    [Fact]
    public async Task DataIntegrity_DirectionAndNestedContextSignedByUs_VerifiesInJs()
    {
        using Ed25519KeyPair key = Ed25519KeyPair.Generate();
        string issuer = DidKey.Create(key.Ed25519PublicKey);
        using JsonDocument unsigned = JsonDocument.Parse(Credential(issuer));
        byte[] signed = EddsaRdfc2022.Sign(
            unsigned.RootElement,
            new ProofOptions { Created = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero), VerificationMethod = DidKey.GetVerificationMethodId(key.Ed25519PublicKey) },
            key);

        InteropResult result = await NodeInterop.VerifyOneAsync(new InteropJob { Now = BadgeIssuerApplication.Now }.AddDataIntegrity(signed), TestContext.Current.CancellationToken);

        result.Verified.Should().BeTrue($"JS did not verify:\n{result.Json}");
        result.Errors.Should().BeEmpty();
    }

    [Fact]
    public async Task DataIntegrity_DirectionAndNestedContextSignedByJs_VerifiesInCore()
    {
        InteropSignOutput output = await NodeInterop.SignAsync(
            new InteropSignJob { Seed = Seed, SubjectId = "did:example:learner-i18n", CredentialJson = Credential("did:example:replaced-by-sign-mjs") }.AddDataIntegrity("eddsa-rdfc-2022"),
            TestContext.Current.CancellationToken);
        JsIssuedCredential issued = output.Items.Should().ContainSingle().Which;
        issued.SelfVerified.Should().BeTrue(string.Join("; ", issued.SelfCheckErrors));
        using (JsonDocument js = JsonDocument.Parse(issued.Document))
        {
            js.RootElement.GetProperty("@context")[2].GetProperty("@context").GetProperty("nickname").GetString().Should().Be("https://schema.org/alternateName");
            js.RootElement.GetProperty("credentialSubject").GetProperty("name").GetProperty("@direction").GetString().Should().Be("rtl");
        }

        var verifier = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new MutableTimeProvider(BadgeIssuerApplication.Now) });
        VerificationReport report = await verifier.VerifyAsync(Encoding.UTF8.GetBytes(issued.Document), TestContext.Current.CancellationToken);

        string describe = string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}"));
        report.Verified.Should().BeTrue(describe);
        using JsonDocument doc = JsonDocument.Parse(issued.Document);
        JsonLdProcessor.CanonicalizeWithout(doc.RootElement, "proof", DataIntegrityOptions.Default.JsonLd)
            .Should().Contain($"\"{ArabicName}\"^^<https://www.w3.org/ns/i18n#ar_rtl>");
    }

    [Fact]
    public async Task DataIntegrity_NumberJsonLdJsReadsAsZeroSignedByJs_FailsInCoreNamingBothForms()
    {
        // jsonld.js writes creditsEarned 1e-7 (xsd:float in the OB context) as "0"; the specification as "1.0E-7".
        JsonObject credential = JsonNode.Parse(Credential("did:example:replaced-by-sign-mjs"))!.AsObject();
        credential["credentialSubject"]!["creditsEarned"] = 1e-7;
        InteropSignOutput output = await NodeInterop.SignAsync(
            new InteropSignJob { Seed = Seed, SubjectId = "did:example:learner-numbers", CredentialJson = credential.ToJsonString() }.AddDataIntegrity("eddsa-rdfc-2022"),
            TestContext.Current.CancellationToken);
        JsIssuedCredential issued = output.Items.Should().ContainSingle().Which;
        issued.SelfVerified.Should().BeTrue(string.Join("; ", issued.SelfCheckErrors));

        var verifier = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new MutableTimeProvider(BadgeIssuerApplication.Now) });
        VerificationReport report = await verifier.VerifyAsync(Encoding.UTF8.GetBytes(issued.Document), TestContext.Current.CancellationToken);

        report.Verified.Should().BeFalse();
        VerificationCheck proof = report.Checks.Should().ContainSingle(c => c.Name == "proof").Which;
        proof.Message.Should().Contain("SignatureInvalid")
            .And.Contain("matches jsonld.js's canonical form")
            .And.Contain("/credentialSubject/creditsEarned: \"1.0E-7\"^^xsd:double in the specification, \"0\" as an integer in jsonld.js");
    }

    [Fact]
    public async Task DataIntegrity_NumberJsonLdJsReadsAsZero_ForgedSignature_MatchesNeitherForm()
    {
        // The same credential signed by JS, with creditsEarned changed afterwards: neither canonical form matches.
        JsonObject credential = JsonNode.Parse(Credential("did:example:replaced-by-sign-mjs"))!.AsObject();
        credential["credentialSubject"]!["creditsEarned"] = 2e-7;
        InteropSignOutput output = await NodeInterop.SignAsync(
            new InteropSignJob { Seed = Seed, SubjectId = "did:example:learner-numbers", CredentialJson = credential.ToJsonString() }.AddDataIntegrity("eddsa-rdfc-2022"),
            TestContext.Current.CancellationToken);
        JsonObject tampered = JsonNode.Parse(output.Items.Should().ContainSingle().Which.Document)!.AsObject();
        tampered["name"] = "Teamwork, tampered";

        var verifier = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new MutableTimeProvider(BadgeIssuerApplication.Now) });
        VerificationReport report = await verifier.VerifyAsync(Encoding.UTF8.GetBytes(tampered.ToJsonString()), TestContext.Current.CancellationToken);

        report.Checks.Should().ContainSingle(c => c.Name == "proof").Which.Message.Should().Contain("the signature matches neither form");
    }

    /// <summary>
    /// An OB 3.0 credential whose subject carries a direction-tagged name and description (the OB schema types the
    /// credential's, achievement's and issuer's name as strings, the subject's not) and whose context array ends with
    /// a nested context object.
    /// </summary>
    private static string Credential(string issuer)
    {
        var credential = new JsonObject
        {
            ["@context"] = new JsonArray(
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                JsonNode.Parse("""{"@context": {"nickname": "https://schema.org/alternateName"}}""")),
            ["id"] = "urn:uuid:6a0e8f44-1c2b-4d3e-9f80-7a6b5c4d3e2f",
            ["type"] = new JsonArray("VerifiableCredential", "OpenBadgeCredential"),
            ["issuer"] = new JsonObject { ["id"] = issuer, ["type"] = new JsonArray("Profile"), ["name"] = "Interop Issuer" },
            ["validFrom"] = "2025-03-01T09:00:00Z",
            ["name"] = "Teamwork",
            ["nickname"] = "Team",
            ["credentialSubject"] = new JsonObject
            {
                ["type"] = new JsonArray("AchievementSubject"),
                ["name"] = JsonNode.Parse($$"""{"@value": "{{ArabicName}}", "@language": "ar", "@direction": "rtl"}"""),
                ["description"] = JsonNode.Parse("""{"@value": "عمل مع الآخرين", "@language": "ar-EG", "@direction": "rtl"}"""),
                ["achievement"] = new JsonObject
                {
                    ["id"] = "urn:uuid:0c2f4a7b-9d1e-4f3a-8b6c-5e7d9a1b3c2f",
                    ["type"] = new JsonArray("Achievement"),
                    ["name"] = "Teamwork",
                    ["description"] = "Works with others.",
                    ["criteria"] = new JsonObject { ["narrative"] = "Work with others." },
                },
            },
        };
        return credential.ToJsonString();
    }
}
