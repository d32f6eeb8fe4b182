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

        Assert.True(result.IsValid, string.Join("\n", result.Violations));
        Assert.All(result.AppliedSchemas, static s => Assert.Equal(ObSchemaBuild.Current, s.Build));
    }

    [Fact]
    public void SpecExamples_AreAllFound()
    {
        Assert.Equal(16, SpecExamples.Count);
    }

    [Fact]
    public void Validate_EndorsementExample_UsesEndorsementSchema()
    {
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(TestVectors.Json("ob-v3p0-spec-examples/sample-endorsementcredential.unsigned.json"));

        Assert.True(result.IsValid);
        Assert.Equal(ObSchemaKind.EndorsementCredential, result.AppliedSchemas[0].Kind);
    }

    [Fact]
    public void Validate_ImplGuideSingleProofObject_FailsAtProof()
    {
        // T-7: the impl guide vector carries "proof": {…}; the VCDM 2.0 schema wants an array.
        JsonElement credential = TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.signed.json");
        Assert.Equal(JsonValueKind.Object, credential.GetProperty("proof").ValueKind);

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(credential);

        Assert.False(result.IsValid);
        SchemaViolation violation = Assert.Single(result.Violations);
        Assert.Equal("/proof", violation.InstanceLocation);
        Assert.Equal("$.proof", violation.Path);
        Assert.Equal("type", violation.Keyword);
    }

    [Fact]
    public void Validate_ImplGuideUnsigned_Passes()
    {
        Assert.True(ObSchemaValidator.Shared.Validate(TestVectors.Json("ob-v3p0-impl-guide-eddsa-rdfc-2022/credential.unsigned.json")).IsValid);
    }

    [Fact]
    public void Validate_Vcdm11Credential_UsesLegacySchema()
    {
        JsonElement credential = TestVectors.Json("1edtech-validator-fixtures/simple_v1.json");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(credential);

        Assert.True(result.IsValid, string.Join("\n", result.Violations));
        ObSchema applied = Assert.Single(result.AppliedSchemas);
        Assert.Equal(ObSchemaBuild.LegacyVcdm11, applied.Build);
        Assert.Equal(ObSchemaKind.AchievementCredential, applied.Kind);
        Assert.Equal(SchemaBase + "ob_v3p0_achievementcredential_schema.json", applied.Id);
    }

    [Fact]
    public void Validate_Vcdm11Credential_FailsCurrentSchema()
    {
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(
            TestVectors.Json("1edtech-validator-fixtures/simple_v1.json"), ObSchemaKind.AchievementCredential, ObSchemaBuild.Current);

        Assert.False(result.IsValid);
        Assert.Contains(result.Violations, static v => v.Path == "$.validFrom" && v.Keyword == "required");
        Assert.Contains(result.Violations, static v => v.Path == "$['@context'][0]");
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
        Assert.True(ObSchemaValidator.TryResolveSchemaUrl(url, credentialBuild, out ObSchema? schema));
        Assert.Equal(kind, schema!.Kind);
        Assert.Equal(build, schema.Build);
    }

    [Theory]
    [InlineData("https://accrediter.edu/schema/endorsementcredential.json")]
    [InlineData(SchemaBase + "ob_v3p0_getopenbadgecredentialsresponse_schema.json")]
    [InlineData("")]
    public void TryResolveSchemaUrl_UnknownUrl_ReturnsFalse(string url)
    {
        Assert.False(ObSchemaValidator.TryResolveSchemaUrl(url, ObSchemaBuild.Current, out ObSchema? schema));
        Assert.Null(schema);
    }

    [Fact]
    public void Validate_DeclaredSchemas_AppliedOrReportedUnknown()
    {
        // sample-endorsementcredential declares the official schema and the endorser's own one.
        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(TestVectors.Json("ob-v3p0-spec-examples/sample-endorsementcredential.unsigned.json"));

        Assert.True(result.IsValid);
        Assert.Contains(result.DeclaredSchemas, static d => d.Status == DeclaredSchemaStatus.Applied && d.Schema!.Kind == ObSchemaKind.EndorsementCredential);
        Assert.Equal(["https://state.gov/schema/endorsementcredential.json"], result.UnknownSchemaUrls);
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

        Assert.Equal(2, result.AppliedSchemas.Count);
        Assert.Equal(ObSchemaKind.Profile, result.AppliedSchemas[1].Kind);
        Assert.Equal(DeclaredSchemaStatus.UnsupportedType, result.DeclaredSchemas[2].Status);
        Assert.Empty(result.UnknownSchemaUrls);

        // The profile schema wants type to contain "Profile": the credential is reported against it.
        Assert.Contains(result.Violations, static v => v.Path == "$.type" && v.SchemaLocation.Contains("profile", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_MissingIssuer_ReportsRequiredAtIssuer()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential.Remove("issuer");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        SchemaViolation violation = Assert.Single(result.Violations);
        Assert.Equal("/issuer", violation.InstanceLocation);
        Assert.Equal("$.issuer", violation.Path);
        Assert.Equal("required", violation.Keyword);
        Assert.Contains("issuer", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TypeNotArray_ReportsTypeAtType()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["type"] = "OpenBadgeCredential";

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        Assert.NotEmpty(result.Violations);
        Assert.All(result.Violations, static v => Assert.Equal("$.type", v.Path));
        Assert.Contains(result.Violations, static v => v.Keyword == "type");
    }

    [Fact]
    public void Validate_MissingCriteria_ReportsRequiredAtCriteria()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["credentialSubject"]!["achievement"]!.AsObject().Remove("criteria");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        SchemaViolation violation = Assert.Single(result.Violations);
        Assert.Equal("/credentialSubject/achievement/criteria", violation.InstanceLocation);
        Assert.Equal("$.credentialSubject.achievement.criteria", violation.Path);
        Assert.Equal("required", violation.Keyword);
        Assert.EndsWith("#/$defs/Achievement", violation.SchemaLocation, StringComparison.Ordinal);
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

        Assert.Contains(result.Violations, static v => v.Path == "$.validFrom" && v.Keyword == "required");
        Assert.Contains(result.Violations, static v => v.Path == "$['@context'][1]" && v.Keyword == "pattern");
        Assert.Contains(result.Violations, static v => v.Path == "$.credentialSubject.achievement.image.type" && v.Keyword == "type");
        Assert.Contains(result.Violations, static v => v.Path == "$.credentialSubject.identifier[0].hashed" && v.Keyword == "type");
    }

    [Fact]
    public void Validate_DateWithoutTimezone_FailsFormat()
    {
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential["validFrom"] = "2010-01-01T00:00:00";

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        SchemaViolation violation = Assert.Single(result.Violations);
        Assert.Equal("$.validFrom", violation.Path);
        Assert.Equal("format", violation.Keyword);
    }

    [Fact]
    public void Validate_ValidIssuerProfile_DoesNotReportOtherOneOfBranch()
    {
        // issuer is oneOf [string, Profile]; the failing string branch must not leak into the report.
        JsonObject credential = Mutable("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        credential.Remove("validFrom");

        ObSchemaValidationResult result = ObSchemaValidator.Shared.Validate(ToElement(credential));

        Assert.DoesNotContain(result.Violations, static v => v.Path.StartsWith("$.issuer", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_Profile_AgainstProfileSchema()
    {
        JsonElement issuer = TestVectors.Json("ob-v3p0-spec-examples/complete-openbadgecredential.unsigned.json").GetProperty("issuer");

        Assert.True(ObSchemaValidator.Shared.Validate(issuer, ObSchemaKind.Profile, ObSchemaBuild.Current).IsValid);
    }

    [Fact]
    public void Validate_IsConcurrentSafe()
    {
        // Timing belongs in benchmarks, not unit tests: this only checks that a fresh validator built by racing
        // threads gives the same answer everywhere.
        JsonElement credential = TestVectors.Json("ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json");
        ObSchemaValidator validator = new();
        Parallel.For(0, 64, _ => Assert.True(validator.Validate(credential).IsValid));
    }

    internal static JsonObject Mutable(string file) => JsonNode.Parse(TestVectors.Bytes(file))!.AsObject();

    internal static JsonElement ToElement(JsonNode node)
    {
        using JsonDocument doc = JsonDocument.Parse(node.ToJsonString());
        return doc.RootElement.Clone();
    }
}
