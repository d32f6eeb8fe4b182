using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Tests.Schemas;

namespace BadgeIssuer.Core.Tests.Model;

public class CredentialValidatorTests
{
    private const string Sample = "ob-v3p0-spec-examples/sample-openbadgecredential.unsigned.json";

    [Fact]
    public void Validate_SpecSample_IsValid()
    {
        CredentialValidationResult result = CredentialValidator.Default.Validate(TestVectors.Json(Sample));

        Assert.True(result.IsValid, string.Join("\n", result.Violations));
    }

    [Fact]
    public void Validate_UndefinedTerm_ReportsJsonLdViolationWithTermPath()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialSubject"]!["achievement"]!["favouriteColour"] = "blue";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = Assert.Single(result.Violations);
        Assert.Equal(CredentialViolationKind.JsonLd, violation.Kind);
        Assert.Equal("$.credentialSubject.achievement.favouriteColour", violation.Path);
        Assert.Equal("/credentialSubject/achievement/favouriteColour", violation.InstanceLocation);
        Assert.Contains("favouriteColour", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RelativeId_ReportsJsonLdViolationAtValue()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialSubject"]!["id"] = "learner-42";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = Assert.Single(result.Violations);
        Assert.Equal(CredentialViolationKind.JsonLd, violation.Kind);
        Assert.Equal("$.credentialSubject.id", violation.Path);
    }

    [Fact]
    public void Validate_SubjectWithoutIdOrIdentifier_ReportsObDm20()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialSubject"]!.AsObject().Remove("id");

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = Assert.Single(result.Violations);
        Assert.Equal(CredentialViolationKind.SubjectIdentity, violation.Kind);
        Assert.Equal("OB-DM-20", violation.Code);
        Assert.Equal("$.credentialSubject", violation.Path);
    }

    [Fact]
    public void Validate_ObContextNotSecond_ReportsContextAndSchema()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.Context && v.Code == "T-15" && v.Path == "$['@context'][1]");
        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.Schema && v.Code == "pattern" && v.Path == "$['@context'][1]");
    }

    [Fact]
    public void Validate_ValidFromWithoutTimezone_ReportsT13()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["validFrom"] = "2024-05-01T10:00:00";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.DateTime && v.Code == "T-13" && v.Path == "$.validFrom");
    }

    [Fact]
    public void Validate_ValidUntilBeforeValidFrom_ReportsPeriod()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["validFrom"] = "2024-05-01T10:00:00+02:00";
        credential["validUntil"] = "2024-05-01T08:00:00Z";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = Assert.Single(result.Violations);
        Assert.Equal(CredentialViolationKind.ValidityPeriod, violation.Kind);
        Assert.Equal("$.validUntil", violation.Path);
    }

    [Fact]
    public void Validate_ManyProblems_ReportsAll()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential.Remove("issuer");
        credential["type"] = "OpenBadgeCredential";
        credential["credentialSubject"]!["achievement"]!.AsObject().Remove("criteria");
        credential["credentialSubject"]!.AsObject().Remove("id");
        credential["credentialSubject"]!["colour"] = "blue";
        credential["validUntil"] = "2000-01-01T00:00:00Z";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.Schema && v.Path == "$.issuer" && v.Code == "required");
        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.Schema && v.Path == "$.type");
        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.Schema && v.Path == "$.credentialSubject.achievement.criteria");
        // JSON-LD stops at its first error: with type "OpenBadgeCredential" alone the VC type-scoped terms are not
        // active, so credentialSubject itself is the undefined term reported (before colour would be).
        CredentialViolation jsonLd = Assert.Single(result.Violations, static v => v.Kind == CredentialViolationKind.JsonLd);
        Assert.Equal("$.credentialSubject", jsonLd.Path);
        Assert.Equal("safe mode undefined term", jsonLd.Code);
        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.SubjectIdentity);
        Assert.Contains(result.Violations, static v => v.Kind == CredentialViolationKind.ValidityPeriod);
    }

    [Fact]
    public void Validate_UnknownDeclaredSchema_IsAWarning()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["@context"]!.AsArray().Add("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json");
        credential["credentialSchema"] = new JsonArray(new JsonObject { ["id"] = "https://example.org/my-schema.json", ["type"] = "1EdTechJsonSchemaValidator2019" });

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        Assert.True(result.IsValid, string.Join("\n", result.Violations));
        CredentialViolation warning = Assert.Single(result.Warnings);
        Assert.Equal(CredentialViolationKind.UnknownSchema, warning.Kind);
        Assert.Contains("https://example.org/my-schema.json", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CredentialStatusArray_ReportsSchemaViolation()
    {
        // T-8: W3C allows an array, the OB schema wants one object with id.
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialStatus"] = new JsonArray(new JsonObject
        {
            ["id"] = "https://example.edu/status/3#94567",
            ["type"] = "BitstringStatusListEntry",
            ["statusPurpose"] = "revocation",
            ["statusListIndex"] = "94567",
            ["statusListCredential"] = "https://example.edu/status/3",
        });

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = Assert.Single(result.Violations);
        Assert.Equal(CredentialViolationKind.Schema, violation.Kind);
        Assert.Equal("$.credentialStatus", violation.Path);
        Assert.Equal("type", violation.Code);
    }

    [Fact]
    public void Validate_UndefinedElement_IsReportedNotThrown()
    {
        Assert.False(CredentialValidator.Default.Validate(default(JsonElement)).IsValid);
    }

    [Fact]
    public void Validate_Vcdm11Fixture_UsesIssuanceDate()
    {
        CredentialValidationResult result = CredentialValidator.Default.Validate(TestVectors.Json("1edtech-validator-fixtures/simple_v1.json"));

        Assert.True(result.IsValid, string.Join("\n", result.Violations));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("\"credential\"")]
    [InlineData("{}")]
    [InlineData("""{"@context": 5, "type": {}, "credentialSubject": [], "validFrom": 3}""")]
    public void Validate_BadInput_NeverThrows(string text)
    {
        CredentialValidationResult result = CredentialValidator.Default.Validate(Encoding.UTF8.GetBytes(text));

        Assert.False(result.IsValid);
        Assert.All(result.Violations, static v => Assert.StartsWith("$", v.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SpecExamplesAndBuilderOutput_AreValid()
    {
        foreach (string file in new[] { Sample, "ob-v3p0-spec-examples/complete-openbadgecredential.unsigned.json", "ob-v3p0-spec-examples/sample-endorsementcredential.unsigned.json" })
        {
            CredentialValidationResult result = CredentialValidator.Default.Validate(TestVectors.Json(file));
            Assert.True(result.IsValid, file + ": " + string.Join("\n", result.Violations));
        }
    }
}
