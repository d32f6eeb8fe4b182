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

        result.IsValid.Should().BeTrue(string.Join("\n", result.Violations));
    }

    [Fact]
    public void Validate_UndefinedTerm_ReportsJsonLdViolationWithTermPath()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialSubject"]!["achievement"]!["favouriteColour"] = "blue";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.Kind.Should().Be(CredentialViolationKind.JsonLd);
        violation.Path.Should().Be("$.credentialSubject.achievement.favouriteColour");
        violation.InstanceLocation.Should().Be("/credentialSubject/achievement/favouriteColour");
        violation.Message.Should().Contain("favouriteColour");
    }

    [Fact]
    public void Validate_RelativeId_ReportsJsonLdViolationAtValue()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialSubject"]!["id"] = "learner-42";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.Kind.Should().Be(CredentialViolationKind.JsonLd);
        violation.Path.Should().Be("$.credentialSubject.id");
    }

    [Fact]
    public void Validate_SubjectWithoutIdOrIdentifier_ReportsObDm20()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["credentialSubject"]!.AsObject().Remove("id");

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.Kind.Should().Be(CredentialViolationKind.SubjectIdentity);
        violation.Code.Should().Be("OB-DM-20");
        violation.Path.Should().Be("$.credentialSubject");
    }

    [Fact]
    public void Validate_ObContextNotSecond_ReportsContextAndSchema()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["@context"] = new JsonArray("https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json");

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.Context && v.Code == "T-15" && v.Path == "$['@context'][1]");
        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.Schema && v.Code == "pattern" && v.Path == "$['@context'][1]");
    }

    [Fact]
    public void Validate_ValidFromWithoutTimezone_ReportsT13()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["validFrom"] = "2024-05-01T10:00:00";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.DateTime && v.Code == "T-13" && v.Path == "$.validFrom");
    }

    [Fact]
    public void Validate_ValidUntilBeforeValidFrom_ReportsPeriod()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["validFrom"] = "2024-05-01T10:00:00+02:00";
        credential["validUntil"] = "2024-05-01T08:00:00Z";

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        CredentialViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.Kind.Should().Be(CredentialViolationKind.ValidityPeriod);
        violation.Path.Should().Be("$.validUntil");
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

        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.Schema && v.Path == "$.issuer" && v.Code == "required");
        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.Schema && v.Path == "$.type");
        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.Schema && v.Path == "$.credentialSubject.achievement.criteria");
        // JSON-LD stops at its first error: with type "OpenBadgeCredential" alone the VC type-scoped terms are not
        // active, so credentialSubject itself is the undefined term reported (before colour would be).
        CredentialViolation jsonLd = result.Violations.Should().ContainSingle(static v => v.Kind == CredentialViolationKind.JsonLd).Which;
        jsonLd.Path.Should().Be("$.credentialSubject");
        jsonLd.Code.Should().Be("safe mode undefined term");
        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.SubjectIdentity);
        result.Violations.Should().Contain(static v => v.Kind == CredentialViolationKind.ValidityPeriod);
    }

    [Fact]
    public void Validate_UnknownDeclaredSchema_IsAWarning()
    {
        JsonObject credential = ObSchemaValidatorTests.Mutable(Sample);
        credential["@context"]!.AsArray().Add("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json");
        credential["credentialSchema"] = new JsonArray(new JsonObject { ["id"] = "https://example.org/my-schema.json", ["type"] = "1EdTechJsonSchemaValidator2019" });

        CredentialValidationResult result = CredentialValidator.Default.Validate(ObSchemaValidatorTests.ToElement(credential));

        result.IsValid.Should().BeTrue(string.Join("\n", result.Violations));
        CredentialViolation warning = result.Warnings.Should().ContainSingle().Which;
        warning.Kind.Should().Be(CredentialViolationKind.UnknownSchema);
        warning.Message.Should().Contain("https://example.org/my-schema.json");
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

        CredentialViolation violation = result.Violations.Should().ContainSingle().Which;
        violation.Kind.Should().Be(CredentialViolationKind.Schema);
        violation.Path.Should().Be("$.credentialStatus");
        violation.Code.Should().Be("type");
    }

    [Fact]
    public void Validate_UndefinedElement_IsReportedNotThrown()
    {
        CredentialValidator.Default.Validate(default(JsonElement)).IsValid.Should().BeFalse();
    }

    [Fact]
    public void Validate_Vcdm11Fixture_UsesIssuanceDate()
    {
        CredentialValidationResult result = CredentialValidator.Default.Validate(TestVectors.Json("1edtech-validator-fixtures/simple_v1.json"));

        result.IsValid.Should().BeTrue(string.Join("\n", result.Violations));
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

        result.IsValid.Should().BeFalse();
        result.Violations.Should().AllSatisfy(static v => v.Path.Should().StartWith("$"));
    }

    [Fact]
    public void Validate_SpecExamplesAndBuilderOutput_AreValid()
    {
        foreach (string file in new[] { Sample, "ob-v3p0-spec-examples/complete-openbadgecredential.unsigned.json", "ob-v3p0-spec-examples/sample-endorsementcredential.unsigned.json" })
        {
            CredentialValidationResult result = CredentialValidator.Default.Validate(TestVectors.Json(file));
            result.IsValid.Should().BeTrue(file + ": " + string.Join("\n", result.Violations));
        }
    }
}
