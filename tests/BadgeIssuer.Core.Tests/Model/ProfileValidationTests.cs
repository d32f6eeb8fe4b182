using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Tests.Verification;

namespace BadgeIssuer.Core.Tests.Model;

/// <summary>
/// The issuing side's check (<see cref="CredentialValidator.ValidateProfile"/>, what <c>POST /credentials/issue</c> and
/// <c>badge sign</c> run before signing): the VC Data Model rules, then the rules of the profile the types claim.
/// </summary>
public sealed class ProfileValidationTests
{
    private static string Describe(CredentialValidationResult result) => string.Join("\n", result.Violations.Select(v => $"{v.InstanceLocation} {v.Code}: {v.Message}"));

    private static CredentialValidationResult Validate(JsonNode credential)
    {
        using JsonDocument document = JsonDocument.Parse(credential.ToJsonString());
        return CredentialValidator.Default.ValidateProfile(document.RootElement);
    }

    [Theory]
    [MemberData(nameof(VcRuleCases.NegativeNames), MemberType = typeof(VcRuleCases))]
    public void ValidateProfile_PlainVcBreakingARule_RefusesWithThatPointer(string name)
    {
        var c = VcRuleCases.NegativeCase(name);

        CredentialValidationResult result = Validate(VcRuleCases.Build(c.Version, c.Edits));

        result.IsValid.Should().BeFalse();
        result.Violations.Should().Contain(v => v.InstanceLocation == c.Pointer && v.Code == c.Code, Describe(result));
    }

    [Theory]
    [MemberData(nameof(VcRuleCases.PositiveNames), MemberType = typeof(VcRuleCases))]
    public void ValidateProfile_PlainVcKeepingEveryRule_IsValidWithProfileVc(string name)
    {
        var c = VcRuleCases.Positive.Single(p => p.Name == name);

        CredentialValidationResult result = Validate(VcRuleCases.Build(c.Version, c.Edits));

        result.IsValid.Should().BeTrue(Describe(result));
        result.Profile.Should().Be(CredentialProfile.Vc);
    }

    [Fact]
    public void ValidateProfile_PlainVc_IsNotJudgedByTheObSchema()
    {
        // The OB JSON Schema would refuse this credential (no name, no AchievementSubject): it claims no OB type.
        CredentialValidationResult result = Validate(VcRuleCases.Build("2.0", "{}"));

        result.IsValid.Should().BeTrue(Describe(result));
        result.Schema!.AppliedSchemas.Should().BeEmpty();
    }

    [Fact]
    public void ValidateProfile_OpenBadge_AppliesTheObSchemaAndRules()
    {
        JsonObject valid = TestDocuments.Credential("did:example:issuer");
        JsonObject noAchievement = TestDocuments.Credential("did:example:issuer");
        noAchievement["credentialSubject"]!.AsObject().Remove("achievement");
        JsonObject anonymous = TestDocuments.Credential("did:example:issuer");
        anonymous["credentialSubject"]!.AsObject().Remove("id");
        JsonObject contextOrder = TestDocuments.Credential("did:example:issuer");
        contextOrder["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", TestDocuments.ObContext);

        Validate(valid).Should().Match<CredentialValidationResult>(r => r.IsValid && r.Profile == CredentialProfile.OpenBadge);
        Validate(noAchievement).Violations.Should().Contain(v => v.Kind == CredentialViolationKind.Schema && v.InstanceLocation == "/credentialSubject/achievement");
        Validate(anonymous).Violations.Should().Contain(v => v.Kind == CredentialViolationKind.SubjectIdentity);
        Validate(contextOrder).Violations.Should().Contain(v => v.Kind == CredentialViolationKind.Context && v.InstanceLocation == "/@context/1");
    }

    [Fact]
    public void ValidateProfile_OpenBadgeBreakingAVcRule_ReportsTheVcRuleToo()
    {
        JsonObject credential = TestDocuments.Credential("did:example:issuer");
        credential["evidence"] = new JsonArray(new JsonObject { ["id"] = "https://example.org/evidence/1", ["name"] = "Weld" });

        CredentialValidationResult result = Validate(credential);

        result.Violations.Should().Contain(v => v.Kind == CredentialViolationKind.VcDataModel && v.InstanceLocation == "/evidence/0/type", Describe(result));
    }

    [Fact]
    public void ValidateProfile_Endorsement_AppliesTheEndorsementSchema()
    {
        JsonObject valid = TestDocuments.Endorsement("did:example:endorser", "https://example.org/credentials/1");
        JsonObject noSubjectId = TestDocuments.Endorsement("did:example:endorser", "https://example.org/credentials/1");
        noSubjectId["credentialSubject"]!.AsObject().Remove("id");

        CredentialValidationResult ok = Validate(valid);
        CredentialValidationResult broken = Validate(noSubjectId);

        ok.IsValid.Should().BeTrue(Describe(ok));
        ok.Profile.Should().Be(CredentialProfile.Endorsement);
        ok.Schema!.AppliedSchemas.Should().Contain(s => s.Kind == Core.Schemas.ObSchemaKind.EndorsementCredential);
        broken.Violations.Should().Contain(v => v.Kind == CredentialViolationKind.Schema && v.InstanceLocation == "/credentialSubject/id", Describe(broken));
        broken.Violations.Should().NotContain(v => v.InstanceLocation.Contains("achievement", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateProfile_ClrVector_IsValidAsAClr()
    {
        // The CLR 2.0 implementation guide's ClrCredential: the OB schema (applied to every credential before) refuses it.
        using JsonDocument clr = JsonDocument.Parse(TestVectors.Bytes("clr-v2p0-impl-guide-eddsa-rdfc-2022/credential.unsigned.json"));

        CredentialValidationResult result = CredentialValidator.Default.ValidateProfile(clr.RootElement);

        result.IsValid.Should().BeTrue(Describe(result));
        result.Profile.Should().Be(CredentialProfile.Clr);
        CredentialValidator.Default.Validate(clr.RootElement).IsValid.Should().BeFalse();
    }

    public static TheoryData<string, string, string, string> ClrCases => new()
    {
        { "no CLR context", """{"/@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}""", "/@context", "CLR-CONTEXT" },
        { "no id", """{"/id": null}""", "/id", "CLR-ID" },
        { "no name", """{"/name": null}""", "/name", "CLR-NAME" },
        { "issuer a string", """{"/issuer": "did:example:issuer"}""", "/issuer", "CLR-ISSUER" },
        { "no validFrom", """{"/validFrom": null}""", "/validFrom", "CLR-VALIDFROM" },
        { "partial a string", """{"/partial": "yes"}""", "/partial", "CLR-PARTIAL" },
        { "subject an array", """{"/credentialSubject": [{"id": "did:example:a", "type": ["ClrSubject"]}]}""", "/credentialSubject", "CLR-SUBJECT" },
        { "subject not a ClrSubject", """{"/credentialSubject/type": ["AchievementSubject"]}""", "/credentialSubject/type", "CLR-SUBJECT" },
        { "no credentials", """{"/credentialSubject/verifiableCredential": null}""", "/credentialSubject/verifiableCredential", "CLR-CREDENTIALS" },
        { "no credentials in the array", """{"/credentialSubject/verifiableCredential": []}""", "/credentialSubject/verifiableCredential", "CLR-CREDENTIALS" },
        { "a credential as a URL", """{"/credentialSubject/verifiableCredential/0": "https://example.org/credentials/1"}""", "/credentialSubject/verifiableCredential/0", "CLR-CREDENTIALS" },
        { "an unsigned credential", """{"/credentialSubject/verifiableCredential/0/proof": null}""", "/credentialSubject/verifiableCredential/0/proof", "CLR-CREDENTIALS" },
        { "an embedded credential breaking a VC rule", """{"/credentialSubject/verifiableCredential/0/credentialSubject": {}}""", "/credentialSubject/verifiableCredential/0/credentialSubject", "VCDM-SUBJECT" },
        { "an enveloped credential without a data URL", """{"/credentialSubject/verifiableCredential/0": {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential", "id": "https://example.org/vc.jwt"}}""", "/credentialSubject/verifiableCredential/0/id", "CLR-CREDENTIALS" },
        { "an achievement without criteria", """{"/credentialSubject/achievement": [{"id": "urn:uuid:1", "type": ["Achievement"], "name": "A", "description": "D"}]}""", "/credentialSubject/achievement/0/criteria", "CLR-ACHIEVEMENT" },
        { "an achievement not typed", """{"/credentialSubject/achievement": {"id": "urn:uuid:1", "type": "Badge", "name": "A", "description": "D", "criteria": {}}}""", "/credentialSubject/achievement/type", "CLR-ACHIEVEMENT" },
        { "achievement a string", """{"/credentialSubject/achievement": "urn:uuid:1"}""", "/credentialSubject/achievement", "CLR-ACHIEVEMENT" },
        { "an association of an unknown type", """{"/credentialSubject/association": [{"type": "Association", "associationType": "isCousinOf", "sourceId": "urn:uuid:1", "targetId": "urn:uuid:2"}]}""", "/credentialSubject/association/0/associationType", "CLR-ASSOCIATION" },
        { "an association without targetId", """{"/credentialSubject/association": [{"type": "Association", "associationType": "isChildOf", "sourceId": "urn:uuid:1"}]}""", "/credentialSubject/association/0/targetId", "CLR-ASSOCIATION" },
        { "an association not typed", """{"/credentialSubject/association": [{"associationType": "isChildOf", "sourceId": "urn:uuid:1", "targetId": "urn:uuid:2"}]}""", "/credentialSubject/association/0/type", "CLR-ASSOCIATION" },
    };

    [Theory]
    [MemberData(nameof(ClrCases))]
    public void ValidateProfile_ClrBreakingARule_RefusesWithThatPointer(string name, string edits, string location, string code)
    {
        JsonObject clr = ValidClr();
        ApplyEdits(clr, edits);

        CredentialValidationResult result = Validate(clr);

        result.Profile.Should().Be(CredentialProfile.Clr, name);
        result.Violations.Should().Contain(v => v.InstanceLocation == location && v.Code == code, Describe(result));
    }

    [Fact]
    public void ValidateProfile_ValidClrWithAchievementsAndAssociations_IsValid()
    {
        JsonObject clr = ValidClr();
        ApplyEdits(clr, """
            {"/credentialSubject/achievement": [{"id": "urn:uuid:1", "type": ["Achievement"], "name": "A", "description": "D", "criteria": {"narrative": "N"}},
                                                {"id": "urn:uuid:2", "type": "Achievement", "name": "B", "description": "D", "criteria": {"narrative": "N"}}],
             "/credentialSubject/association": {"type": "Association", "associationType": "isChildOf", "sourceId": "urn:uuid:1", "targetId": "urn:uuid:2"},
             "/partial": true}
            """);

        CredentialValidationResult result = Validate(clr);

        result.IsValid.Should().BeTrue(Describe(result));
    }

    private static JsonObject ValidClr()
    {
        using TestIssuer issuer = TestIssuer.Create();
        return ProfileTests.Clr(issuer.Id, issuer.SignToNode(TestDocuments.Credential(issuer.Id)));
    }

    private static void ApplyEdits(JsonObject credential, string edits)
    {
        foreach ((string pointer, JsonNode? value) in JsonNode.Parse(edits)!.AsObject())
        {
            string[] parts = pointer.Split('/')[1..];
            JsonNode node = credential;
            foreach (string part in parts[..^1])
            {
                node = node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
            }

            if (value is null)
            {
                node.AsObject().Remove(parts[^1]);
            }
            else if (node is JsonArray list)
            {
                list[int.Parse(parts[^1], System.Globalization.CultureInfo.InvariantCulture)] = value.DeepClone();
            }
            else
            {
                node[parts[^1]] = value.DeepClone();
            }
        }
    }
}
