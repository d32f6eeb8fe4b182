using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Schemas;

namespace BadgeIssuer.Core.Tests.Schemas;

public class ObSchemaValidatorTests
{
    private const string SchemaBase = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/";

    public static TheoryData<string> SpecExamples => new(
        Directory.GetFiles(TestVectors.PathOf("ob-v3p0-spec-examples"), "*.json")
            .Select(Path.GetFileName)
            .Where(static f => f!.EndsWith(".unsigned.json", StringComparison.Ordinal) || f.EndsWith(".signed-di.json", StringComparison.Ordinal))
            .Select(static f => "ob-v3p0-spec-examples/" + f)
            .Order(StringComparer.Ordinal)
            .ToArray());

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Validate_SpecExample_PassesCurrentSchema(string file)
    {
        JsonElement credential = TestVectors.Json(file);

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(credential);

        result.IsValid.Should().BeTrue(string.Join("\n", result.Violations));
        result.AppliedSchemas.Should().AllSatisfy(static s => s.Build.Should().Be(ObSchemaBuild.Current));
    }

    [Fact]
    public void SpecExamples_AreAllFound()
    {
        SpecExamples.Count.Should().Be(16);
    }

    [Fact]
    public void Validate_EndorsementExample_UsesEndorsementSchema()
    {
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(TestVectors.Json("ob-v3p0-spec-examples/sample-endorsementcredential.unsigned.json"));

        result.IsValid.Should().BeTrue();
        result.AppliedSchemas[0].Kind.Should().Be(ObSchemaKind.EndorsementCredential);
    }

    [Fact]
    public void Validate_ImplGuideSingleProofObject_FailsAtProof()
    {
        // T-7: the impl guide vector carries "proof": {…}; the VCDM 2.0 schema wants an array.
        JsonElement credential = TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        credential.GetProperty("proof").ValueKind.Should().Be(JsonValueKind.Object);

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(credential);

        result.IsValid.Should().BeFalse();
        SchemaViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.InstanceLocation.Should().Be("/proof");
        violation.Path.Should().Be("$.proof");
        violation.Keyword.Should().Be("type");
    }

    [Fact]
    public void Validate_ImplGuideUnsigned_Passes()
    {
        ObSchemaValidator.Shared.Validate(TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.unsigned.json")).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Validate_Vcdm11Credential_UsesLegacySchema()
    {
        JsonElement credential = TestVectors.Json("1edtech-validator-fixtures/simple_v1.json");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(credential);

        result.IsValid.Should().BeTrue(string.Join("\n", result.Violations));
        ObSchema applied = result.AppliedSchemas.Should().ContainSingle().Which;
        applied.Build.Should().Be(ObSchemaBuild.LegacyVcdm11);
        applied.Kind.Should().Be(ObSchemaKind.AchievementCredential);
        applied.Id.Should().Be(SchemaBase + "ob_v3p0_achievementcredential_schema.json");
    }

    [Fact]
    public void Validate_Vcdm11Credential_FailsCurrentSchema()
    {
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(
            TestVectors.Json("1edtech-validator-fixtures/simple_v1.json"), ObSchemaKind.AchievementCredential, ObSchemaBuild.Current);

        result.IsValid.Should().BeFalse();
        result.Violations.Should().Contain(static v => v.Path == "$.validFrom" && v.Keyword == "required");
        result.Violations.Should().Contain(static v => v.Path == "$['@context'][0]");
    }

    [Theory]
    [InlineData(SchemaBase + "ob_v3p0_achievementcredential_schema.json", ObSchemaBuild.Current, ObSchemaKind.AchievementCredential, ObSchemaBuild.Current)]
    [InlineData(SchemaBase + "ob_v3p0_achievementcredential_schema.json", ObSchemaBuild.LegacyVcdm11, ObSchemaKind.AchievementCredential, ObSchemaBuild.LegacyVcdm11)]
    [InlineData(SchemaBase + "ob_v3p0_endorsementcredential_schema.json", ObSchemaBuild.Current, ObSchemaKind.EndorsementCredential, ObSchemaBuild.Current)]
    [InlineData(SchemaBase + "ob_v3p0_profile_schema.json", ObSchemaBuild.LegacyVcdm11, ObSchemaKind.Profile, ObSchemaBuild.LegacyVcdm11)]
    [InlineData(SchemaBase + "ob_v3p0_achievementcredential-jsonschema1.json", ObSchemaBuild.LegacyVcdm11, ObSchemaKind.AchievementCredential, ObSchemaBuild.Current)]
    [InlineData(SchemaBase + "ob_v3p0_endorsementcredential-jsonschema1.json#", ObSchemaBuild.Current, ObSchemaKind.EndorsementCredential, ObSchemaBuild.Current)]
    [InlineData(SchemaBase + "ob_v3p0_profile-jsonschema1.json", ObSchemaBuild.Current, ObSchemaKind.Profile, ObSchemaBuild.Current)]
    public void TryResolveSchemaUrl_KnownUrl_MapsToBundledFile(string url, ObSchemaBuild credentialBuild, ObSchemaKind kind, ObSchemaBuild build)
    {
        ObSchemaValidator.TryResolveSchemaUrl(url, credentialBuild, out ObSchema? schema).Should().BeTrue();
        schema!.Kind.Should().Be(kind);
        schema.Build.Should().Be(build);
    }

    [Theory]
    [InlineData("https://accrediter.edu/schema/endorsementcredential.json")]
    [InlineData(SchemaBase + "ob_v3p0_getopenbadgecredentialsresponse_schema.json")]
    [InlineData("")]
    public void TryResolveSchemaUrl_UnknownUrl_ReturnsFalse(string url)
    {
        ObSchemaValidator.TryResolveSchemaUrl(url, ObSchemaBuild.Current, out ObSchema? schema).Should().BeFalse();
        schema.Should().BeNull();
    }

    [Fact]
    public void Validate_DeclaredSchemas_AppliedOrReportedUnknown()
    {
        // sample-endorsementcredential declares the official schema and the endorser's own one.
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(TestVectors.Json("ob-v3p0-spec-examples/sample-endorsementcredential.unsigned.json"));

        result.IsValid.Should().BeTrue();
        result.DeclaredSchemas.Should().Contain(static d => d.Status == DeclaredSchemaStatus.Applied && d.Schema!.Kind == ObSchemaKind.EndorsementCredential);
        result.UnknownSchemaUrls.Should().Equal(["https://state.gov/schema/endorsementcredential.json"]);
    }

    [Fact]
    public void Validate_DeclaredProfileSchemaOnCredential_AppliesItToo()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["credentialSchema"] = new JsonArray(
            new JsonObject { ["id"] = SchemaBase + "ob_v3p0_achievementcredential_schema.json", ["type"] = "1EdTechJsonSchemaValidator2019" },
            new JsonObject { ["id"] = SchemaBase + "ob_v3p0_profile_schema.json", ["type"] = "1EdTechJsonSchemaValidator2019" },
            new JsonObject { ["id"] = "https://example.org/schema.json", ["type"] = "JsonSchema" });

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        result.AppliedSchemas.Count.Should().Be(2);
        result.AppliedSchemas[1].Kind.Should().Be(ObSchemaKind.Profile);
        result.DeclaredSchemas[2].Status.Should().Be(DeclaredSchemaStatus.UnsupportedType);
        result.UnknownSchemaUrls.Should().BeEmpty();

        // The profile schema wants type to contain "Profile": the credential is reported against it.
        result.Violations.Should().Contain(static v => v.Path == "$.type" && v.SchemaLocation.Contains("profile", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MissingIssuer_ReportsRequiredAtIssuer()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential.Remove("issuer");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        SchemaViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.InstanceLocation.Should().Be("/issuer");
        violation.Path.Should().Be("$.issuer");
        violation.Keyword.Should().Be("required");
        violation.Message.Should().Contain("issuer");
    }

    [Fact]
    public void Validate_TypeNotArray_ReportsTypeAtType()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["type"] = "OpenBadgeCredential";

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        result.Violations.Should().NotBeEmpty();
        result.Violations.Should().AllSatisfy(static v => v.Path.Should().Be("$.type"));
        result.Violations.Should().Contain(static v => v.Keyword == "type");
    }

    [Fact]
    public void Validate_MissingCriteria_ReportsRequiredAtCriteria()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["credentialSubject"]!["achievement"]!.AsObject().Remove("criteria");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        SchemaViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.InstanceLocation.Should().Be("/credentialSubject/achievement/criteria");
        violation.Path.Should().Be("$.credentialSubject.achievement.criteria");
        violation.Keyword.Should().Be("required");
        violation.SchemaLocation.Should().EndWith("#/$defs/Achievement");
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential.Remove("validFrom");
        credential["@context"]![1] = "https://example.org/context.json";
        credential["credentialSubject"]!["achievement"]!["image"] = new JsonObject { ["id"] = "https://example.org/i.png", ["type"] = new JsonArray("Image") };
        credential["credentialSubject"]!["identifier"] = new JsonArray(new JsonObject { ["type"] = "IdentityObject", ["hashed"] = "yes", ["identityHash"] = "x", ["identityType"] = "emailAddress" });

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        result.Violations.Should().Contain(static v => v.Path == "$.validFrom" && v.Keyword == "required");
        result.Violations.Should().Contain(static v => v.Path == "$['@context'][1]" && v.Keyword == "pattern");
        result.Violations.Should().Contain(static v => v.Path == "$.credentialSubject.achievement.image.type" && v.Keyword == "type");
        result.Violations.Should().Contain(static v => v.Path == "$.credentialSubject.identifier[0].hashed" && v.Keyword == "type");
    }

    [Fact]
    public void Validate_DateWithoutTimezone_FailsFormat()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["validFrom"] = "2010-01-01T00:00:00";

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        SchemaViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.Path.Should().Be("$.validFrom");
        violation.Keyword.Should().Be("format");
    }

    [Fact]
    public void Validate_ValidIssuerProfile_DoesNotReportOtherOneOfBranch()
    {
        // issuer is oneOf [string, Profile]; the failing string branch must not leak into the report.
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential.Remove("validFrom");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        result.Violations.Should().NotContain(static v => v.Path.StartsWith("$.issuer", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Profile_AgainstProfileSchema()
    {
        JsonElement issuer = TestVectors.Json("ob-v3p0-spec-examples/complete-openbadgecredential.unsigned.json").GetProperty("issuer");

        ObSchemaValidator.Shared.Validate(issuer, ObSchemaKind.Profile, ObSchemaBuild.Current).IsValid.Should().BeTrue();
    }

    [Fact]
    public void Validate_IsConcurrentSafe()
    {
        // Timing belongs in benchmarks, not unit tests: this only checks that a fresh validator built by racing
        // threads gives the same answer everywhere.
        JsonElement credential = TestVectors.Json("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        ObSchemaValidator validator = new();
        Parallel.For(0, 64, _ => validator.Validate(credential).IsValid.Should().BeTrue());
    }

    internal static JsonObject Mutable(string file) => JsonNode.Parse(TestVectors.Bytes(file))!.AsObject();

    internal static JsonElement ToElement(JsonNode node)
    {
        using JsonDocument doc = JsonDocument.Parse(node.ToJsonString());
        return doc.RootElement.Clone();
    }
}
