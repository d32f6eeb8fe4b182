using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Tests.Model;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>
/// Verification profiles: the VC Data Model rules of the credential's version, then the profile its types claim
/// (ob, endorsement, clr, or vc for none), named in the report; OB-only steps are skipped for other credentials.
/// </summary>
public sealed class ProfileTests
{
    private const string ClrVector = "clr-v2p0-impl-guide-eddsa-rdfc-2022/credential.signed.json";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static JsonObject PlainVc(string issuer, string version = "2.0")
    {
        JsonObject credential = version == "2.0"
            ? new JsonObject { ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2"), ["validFrom"] = "2026-01-01T00:00:00Z" }
            : new JsonObject { ["@context"] = new JsonArray("https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/data-integrity/v2"), ["issuanceDate"] = "2026-01-01T00:00:00Z" };
        credential["id"] = "urn:uuid:" + Guid.NewGuid().ToString();
        credential["type"] = new JsonArray("VerifiableCredential");
        credential["issuer"] = issuer;
        credential["credentialSubject"] = new JsonObject { ["id"] = "did:example:learner" };
        return credential;
    }

    [Theory]
    [InlineData("2.0", "VC 2.0 base context", "VC Data Model 2.0")]
    [InlineData("1.1", "VC 1.1 base context (legacy)", "VC Data Model 1.1")]
    public async Task PlainVc_Valid_VerifiesWithProfileVcAndSkipsTheObSchema(string version, string context, string rules)
    {
        using TestIssuer issuer = TestIssuer.Create();
        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(PlainVc(issuer.Id, version)), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Profile.Should().Be("vc");
        Single(report, CheckNames.Context).Message.Should().Be(context);
        Single(report, CheckNames.Type).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.VcDataModel).Message.Should().Contain(rules);
        VerificationCheck schema = Single(report, CheckNames.Schema);
        schema.Status.Should().Be(CheckStatus.Skipped);
        schema.Message.Should().Contain("claims no Open Badges type");
        using JsonDocument json = ToJson(report);
        json.RootElement.GetProperty("profile").GetString().Should().Be("vc");
    }

    [Fact]
    public async Task PlainVc_BrokenVcDataModelRule_IsNotVerifiedAndNamesThePath()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = PlainVc(issuer.Id);
        credential["evidence"] = new JsonObject { ["id"] = "https://example.org/evidence/1" };
        credential["credentialSchema"] = new JsonObject { ["type"] = "JsonSchema" };

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeFalse();
        VerificationCheck rules = Single(report, CheckNames.VcDataModel);
        rules.Status.Should().Be(CheckStatus.Failed);
        rules.Message.Should().Contain("$.evidence.type").And.Contain("$.credentialSchema.id");
        report.Verdict.Should().StartWith("Not valid: vc-data-model: ");
    }

    [Theory]
    [MemberData(nameof(VcRuleCases.SignableNegativeNames), MemberType = typeof(VcRuleCases))]
    public async Task PlainVc_BreakingARule_FailsTheVcDataModelStepAtItsPath(string name)
    {
        var c = VcRuleCases.NegativeCase(name);
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = VcRuleCases.Build(c.Version, c.Edits, issuer.Id);
        using JsonDocument json = JsonDocument.Parse(credential.ToJsonString());

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck step = Single(report, CheckNames.VcDataModel);
        step.Status.Should().Be(CheckStatus.Failed);
        step.Message.Should().Contain(Core.Schemas.JsonLocations.ToPath(json.RootElement, c.Pointer) + ": ");
        report.Verified.Should().BeFalse();
    }

    [Theory]
    [MemberData(nameof(VcRuleCases.PositiveNames), MemberType = typeof(VcRuleCases))]
    public async Task PlainVc_KeepingEveryRule_PassesTheVcDataModelStep(string name)
    {
        var c = VcRuleCases.Positive.Single(p => p.Name == name);
        using TestIssuer issuer = TestIssuer.Create();

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(VcRuleCases.Build(c.Version, c.Edits, issuer.Id)), Ct);

        Single(report, CheckNames.VcDataModel).Status.Should().Be(CheckStatus.Passed, Describe(report));
        report.Profile.Should().Be("vc");
    }

    [Fact]
    public async Task Vc11VcClaimJwt_MembersLeftToTheRegisteredClaims_AreJudgedAsDecoded()
    {
        // VC Data Model 1.1 §6.3.1: iss, nbf and jti stand for issuer, issuanceDate and id, which the vc claim may omit.
        using TestIssuer issuer = TestIssuer.Create();
        string header = $$"""{"alg":"EdDSA","typ":"JWT","kid":"{{issuer.VerificationMethod}}"}""";
        string Payload(string extra) =>
            "{\"iss\":\"" + issuer.Id + "\",\"nbf\":1767225600,\"jti\":\"urn:uuid:2b7e5c1d-8a4f-4c3e-9d2b-6f1a0e3c5d7b\",\"sub\":\"did:example:learner\","
            + "\"vc\":{\"@context\":[\"https://www.w3.org/2018/credentials/v1\"],\"type\":[\"VerifiableCredential\"]," + extra
            + "\"credentialSubject\":{\"id\":\"did:example:learner\"}}}";

        VerificationReport decoded = await Verifier().VerifyAsync(System.Text.Encoding.ASCII.GetBytes(Jwt.JwsTestHelper.SignRaw(issuer.Key, header, Payload(string.Empty))), Ct);
        VerificationReport broken = await Verifier().VerifyAsync(System.Text.Encoding.ASCII.GetBytes(Jwt.JwsTestHelper.SignRaw(issuer.Key, header, Payload("\"evidence\":{\"id\":\"https://example.org/evidence/1\"},"))), Ct);

        decoded.Profile.Should().Be("vc", Describe(decoded));
        Single(decoded, CheckNames.VcDataModel).Status.Should().Be(CheckStatus.Passed, Describe(decoded));
        Single(broken, CheckNames.VcDataModel).Message.Should().Be("$.evidence.type: each evidence must have a type: a string or an array of strings (VC 1.1 §5.7 Evidence)");
    }

    [Fact]
    public async Task PlainVc_DeclaringABundledObSchema_IsValidatedAgainstIt()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = PlainVc(issuer.Id);
        credential["credentialSchema"] = new JsonArray(new JsonObject
        {
            ["id"] = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            ["type"] = "1EdTechJsonSchemaValidator2019",
        });
        credential["@context"]!.AsArray().Add("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json");

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        report.Profile.Should().Be("vc");
        Single(report, CheckNames.Schema).Status.Should().Be(CheckStatus.Failed);
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task OpenBadge_Valid_ReportsProfileOb()
    {
        using TestIssuer issuer = TestIssuer.Create();
        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(TestDocuments.Credential(issuer.Id)), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Profile.Should().Be("ob");
        Single(report, CheckNames.Schema).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.VcDataModel).Status.Should().Be(CheckStatus.Passed);
        report.Checks.Should().NotContain(c => c.Name == CheckNames.Clr);
    }

    [Fact]
    public async Task Endorsement_TopLevel_ReportsProfileEndorsement()
    {
        using TestIssuer issuer = TestIssuer.Create();
        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(TestDocuments.Endorsement(issuer.Id, "https://example.org/credentials/1")), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Profile.Should().Be("endorsement");
        Single(report, CheckNames.Schema).Message.Should().Contain("EndorsementCredential schema");
    }

    [Fact]
    public async Task ClrVector_Verifies_AsProfileClrWithOneNestedReport()
    {
        VerificationReport report = await Verifier(trustFragment: true).VerifyAsync(TestVectors.Bytes(ClrVector), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Profile.Should().Be("clr");
        Single(report, CheckNames.Context).Message.Should().Be("VC 2.0 and CLR 2.0 contexts");
        Single(report, CheckNames.Type).Message.Should().Be("VerifiableCredential, ClrCredential");
        Single(report, CheckNames.Clr).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.Schema).Status.Should().Be(CheckStatus.Skipped);
        Single(report, CheckNames.Schema).Message.Should().Contain("clr_v2p0_clrcredential_schema.json");
        VerificationCheck embedded = Single(report, CheckNames.EmbeddedCredential);
        embedded.Status.Should().Be(CheckStatus.Passed);
        embedded.Message.Should().StartWith("credentialSubject.verifiableCredential[0] urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002: Valid: ");

        EmbeddedCredentialReport nested = report.EmbeddedCredentials.Should().ContainSingle().Which;
        nested.Location.Should().Be("credentialSubject.verifiableCredential[0]");
        nested.Report.Profile.Should().Be("ob");
        nested.Report.Verified.Should().BeTrue(Describe(nested.Report));
        report.Verdict.Should().Contain("holding 1 credential, valid");

        using JsonDocument json = ToJson(report);
        JsonElement item = json.RootElement.GetProperty("embeddedCredentials").EnumerateArray().Single();
        item.GetProperty("location").GetString().Should().Be("credentialSubject.verifiableCredential[0]");
        item.GetProperty("profile").GetString().Should().Be("ob");
        item.GetProperty("verified").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task Clr_WithARevokedEmbeddedCredential_IsNotValidAndNamesIt()
    {
        using TestIssuer issuer = TestIssuer.Create();
        const string ListUrl = "https://issuer.example/status-lists/1";
        JsonNode badge = issuer.SignToNode(JsonNode.Parse(TestDocuments.OpenBadge(issuer.Id, credentialStatus: TestDocuments.BitstringEntry(ListUrl, "revocation", 7)))!);
        JsonNode good = issuer.SignToNode(TestDocuments.Credential(issuer.Id));
        byte[] clr = issuer.Sign(Clr(issuer.Id, good, badge));
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, Core.StatusList.StatusPurpose.Revocation, 7));

        VerificationReport report = await Verifier(statusLists: lists).VerifyAsync(clr, Ct);

        report.Verified.Should().BeFalse();
        report.Profile.Should().Be("clr");
        report.EmbeddedCredentials.Select(e => e.Report.Verified).Should().Equal([true, false]);
        VerificationCheck failed = report.Checks.Should().ContainSingle(c => c.Status == CheckStatus.Failed).Which;
        failed.Name.Should().Be(CheckNames.EmbeddedCredential);
        failed.Message.Should().StartWith("credentialSubject.verifiableCredential[1] urn:uuid:1b9d7c6e-3f0a-4d2b-8c55-2a1e0f9b7d31: Not valid: revoked");
        report.Verdict.Should().Be("Not valid: the embedded credential credentialSubject.verifiableCredential[1] (urn:uuid:1b9d7c6e-3f0a-4d2b-8c55-2a1e0f9b7d31) is not valid: revoked.");
    }

    [Fact]
    public async Task Clr_WithATamperedEmbeddedCredential_IsNotValid()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonNode badge = issuer.SignToNode(TestDocuments.Credential(issuer.Id));
        badge["name"] = "Changed after signing";
        byte[] clr = issuer.Sign(Clr(issuer.Id, badge));

        VerificationReport report = await Verifier().VerifyAsync(clr, Ct);

        report.Verified.Should().BeFalse();
        report.EmbeddedCredentials.Should().ContainSingle().Which.Report.Verified.Should().BeFalse();
        Single(report, CheckNames.EmbeddedCredential).Message.Should().Contain("signature does not match");
    }

    [Fact]
    public async Task Clr_EmbeddedCredentialsPastTheDepthOrCountBound_FailTheClr()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonNode badge = issuer.SignToNode(TestDocuments.Credential(issuer.Id));
        JsonNode inner = issuer.SignToNode(Clr(issuer.Id, badge));
        byte[] outer = issuer.Sign(Clr(issuer.Id, inner));

        VerificationReport deepEnough = await Verifier().VerifyAsync(outer, Ct);
        VerificationReport tooDeep = await new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), MaxEmbeddedCredentialDepth = 1 }).VerifyAsync(outer, Ct);
        VerificationReport tooMany = await new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), MaxEmbeddedCredentials = 1 }).VerifyAsync(outer, Ct);

        deepEnough.Verified.Should().BeTrue(Describe(deepEnough));
        deepEnough.EmbeddedCredentials.Single().Report.EmbeddedCredentials.Should().ContainSingle();
        tooDeep.Verified.Should().BeFalse();
        tooDeep.EmbeddedCredentials.Single().Report.Checks.Should().Contain(c => c.Name == CheckNames.EmbeddedCredential && c.Status == CheckStatus.Failed && c.Message.Contains("1 level(s) deep", StringComparison.Ordinal));
        tooMany.Verified.Should().BeFalse();
        tooMany.EmbeddedCredentials.Single().Report.Checks.Should().Contain(c => c.Name == CheckNames.EmbeddedCredential && c.Status == CheckStatus.Failed && c.Message.Contains("at most 1 embedded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Clr_SignedCredentialHiddenFromTheJson_IsNotValid()
    {
        // The proof signs the dataset: a revoked credential written under the property's full IRI keeps the signature,
        // but the JSON no longer shows it at credentialSubject.verifiableCredential, where the valid one still is.
        using TestIssuer issuer = TestIssuer.Create();
        const string ListUrl = "https://issuer.example/status-lists/1";
        JsonNode revoked = issuer.SignToNode(JsonNode.Parse(TestDocuments.OpenBadge(issuer.Id, credentialStatus: TestDocuments.BitstringEntry(ListUrl, "revocation", 7)))!);
        JsonNode good = issuer.SignToNode(TestDocuments.Credential(issuer.Id));
        JsonNode signed = issuer.SignToNode(Clr(issuer.Id, good, revoked));
        JsonObject subject = signed["credentialSubject"]!.AsObject();
        JsonArray shown = subject["verifiableCredential"]!.AsArray();
        JsonNode hidden = shown[1]!;
        shown.RemoveAt(1);
        subject["https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"] = new JsonArray(hidden);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, Core.StatusList.StatusPurpose.Revocation, 7));

        VerificationReport report = await Verifier(statusLists: lists).VerifyAsync(TestDocuments.Utf8(signed), Ct);

        Single(report, CheckNames.Clr).Status.Should().Be(CheckStatus.Passed);
        report.Checks.Should().Contain(c => c.Name == CheckNames.Proof && c.Status == CheckStatus.Passed, Describe(report));
        report.EmbeddedCredentials.Should().ContainSingle().Which.Report.Verified.Should().BeTrue();
        report.Verified.Should().BeFalse();
        report.Checks.Should().Contain(c => c.Name == CheckNames.EmbeddedCredential && c.Status == CheckStatus.Failed
            && c.Message.Contains("not the same ones", StringComparison.Ordinal), Describe(report));
    }

    [Fact]
    public async Task Clr_BrokenStructure_FailsTheClrStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonNode badge = issuer.SignToNode(TestDocuments.Credential(issuer.Id));
        JsonObject clr = Clr(issuer.Id, badge);
        clr.Remove("name");
        clr["credentialSubject"]!["association"] = new JsonArray(new JsonObject
        {
            ["type"] = "Association",
            ["associationType"] = "isCousinOf",
            ["sourceId"] = "urn:uuid:0c2f4a7b-9d1e-4f3a-8b6c-5e7d9a1b3c2f",
            ["targetId"] = "urn:uuid:0c2f4a7b-9d1e-4f3a-8b6c-5e7d9a1b3c2f",
        });

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(clr), Ct);

        VerificationCheck step = Single(report, CheckNames.Clr);
        step.Status.Should().Be(CheckStatus.Failed);
        step.Message.Should().Contain("$.name").And.Contain("$.credentialSubject.association[0].associationType");
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task Presentation_OfAPlainVcAndAClr_AppliesTheProfilesToItsCredentials()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using var holder = new TestHolder();
        string vc = issuer.SignToNode(PlainVc(issuer.Id)).ToJsonString();
        string clr = issuer.SignToNode(Clr(issuer.Id, issuer.SignToNode(TestDocuments.Credential(issuer.Id)))).ToJsonString();
        string presentation = holder.SignDataIntegrity(TestDocuments.Presentation(holder.Did, vc, clr), challenge: "c");

        PresentationVerificationReport report = await new PresentationVerifier(Verifier()).VerifyAsync(System.Text.Encoding.UTF8.GetBytes(presentation), "c", null, Ct);

        report.Verified.Should().BeTrue(string.Join("\n", report.Credentials.Select(Describe)));
        report.Credentials.Select(c => c.Profile).Should().Equal(["vc", "clr"]);
        report.Credentials[1].EmbeddedCredentials.Should().ContainSingle().Which.Report.Profile.Should().Be("ob");
    }

    /// <summary>An unsigned ClrCredential of <paramref name="issuer"/> holding <paramref name="credentials"/> (signed JSON).</summary>
    internal static JsonObject Clr(string issuer, params JsonNode[] credentials)
    {
        var embedded = new JsonArray();
        foreach (JsonNode c in credentials)
        {
            embedded.Add(c.DeepClone());
        }

        return new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", TestDocuments.ObContext),
            ["id"] = "urn:uuid:" + Guid.NewGuid().ToString(),
            ["type"] = new JsonArray("VerifiableCredential", "ClrCredential"),
            ["issuer"] = new JsonObject { ["id"] = issuer, ["type"] = new JsonArray("Profile"), ["name"] = "Test Issuer" },
            ["validFrom"] = "2026-01-01T00:00:00Z",
            ["name"] = "Transcript",
            ["credentialSubject"] = new JsonObject
            {
                ["id"] = "did:example:learner",
                ["type"] = new JsonArray("ClrSubject"),
                ["verifiableCredential"] = embedded,
            },
        };
    }
}
