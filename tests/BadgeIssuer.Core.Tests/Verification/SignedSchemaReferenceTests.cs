using System.Text.Json.Nodes;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>The schema step validates the submitted JSON against the schemas it declares: they must be the signed ones.</summary>
public sealed class SignedSchemaReferenceTests
{
    private const string ObSchema = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";

    [Fact]
    public async Task ADeclaredSchemaHiddenByARename_FailsTheSchemaStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["@context"]!.AsArray().Add("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json");
        credential["credentialSchema"] = new JsonArray(new JsonObject { ["id"] = ObSchema, ["type"] = "1EdTechJsonSchemaValidator2019" });
        JsonNode signed = issuer.SignToNode(credential);

        VerificationReport plain = await Verifier().VerifyAsync(TestDocuments.Utf8(signed), TestContext.Current.CancellationToken);
        plain.Verified.Should().BeTrue(Describe(plain));

        // The same signed statement under the property's IRI: the signature holds, the JSON no longer shows the entry.
        JsonNode schema = signed["credentialSchema"]!.DeepClone();
        signed.AsObject().Remove("credentialSchema");
        signed["https://www.w3.org/2018/credentials#credentialSchema"] = schema;
        VerificationReport renamed = await Verifier().VerifyAsync(TestDocuments.Utf8(signed), TestContext.Current.CancellationToken);

        Single(renamed, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        renamed.Checks.Should().Contain(c => c.Name == CheckNames.Schema && c.Status == CheckStatus.Failed && c.Message.Contains("credentialSchema entries that are signed", StringComparison.Ordinal));
        renamed.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task ADeclaredSchemaTypeSpelledAsItsIri_FailsTheSchemaStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["@context"]!.AsArray().Add("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json");
        credential["credentialSchema"] = new JsonArray(new JsonObject { ["id"] = ObSchema, ["type"] = "1EdTechJsonSchemaValidator2019" });
        JsonNode signed = issuer.SignToNode(credential);

        // The same class under its IRI: the signature holds, and a schema step reading the type string would skip the entry.
        signed["credentialSchema"]![0]!["type"] = "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019";
        VerificationReport report = await Verifier().VerifyAsync(TestDocuments.Utf8(signed), TestContext.Current.CancellationToken);

        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        report.Checks.Should().Contain(c => c.Name == CheckNames.Schema && c.Status == CheckStatus.Failed && c.Message.Contains("credentialSchema entries that are signed", StringComparison.Ordinal));
        report.Verified.Should().BeFalse();
    }
}
