using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Issuance;

/// <summary>A single proof is an object outside the OB and CLR families, which keep the array; a proof set stays an array; every other byte as signed.</summary>
public sealed class SingleProofFormTests
{
    [Fact]
    public void Unwrap_OneProof_IsThatObjectAndTheRestIsUnchanged()
    {
        byte[] signed = Encoding.UTF8.GetBytes("""{"@context":["a"],"name":"x \u00e9","proof":[{"type":"DataIntegrityProof","proofValue":"z1"}],"after":[1]}""");

        string unwrapped = Encoding.UTF8.GetString(SingleProofForm.Unwrap(signed));

        unwrapped.Should().Be("""{"@context":["a"],"name":"x \u00e9","proof":{"type":"DataIntegrityProof","proofValue":"z1"},"after":[1]}""");
    }

    [Theory]
    [InlineData("""{"proof":[{"a":1},{"b":2}]}""")]
    [InlineData("""{"proof":{"a":1}}""")]
    [InlineData("""{"proof":[]}""")]
    [InlineData("""{"proof":["z"]}""")]
    [InlineData("""{"name":"proof","x":{"proof":[{"a":1}]}}""")]
    [InlineData("""[{"proof":[{"a":1}]}]""")]
    public void Unwrap_AnythingButOneTopLevelProofInAnArray_IsUnchanged(string json)
    {
        byte[] signed = Encoding.UTF8.GetBytes(json);

        SingleProofForm.Unwrap(signed).Should().Equal(signed);
    }

    [Fact]
    public async Task Sign_OneProofOnAnOpenBadge_StaysAOneElementArrayThatMeetsTheCanonicalObSchema()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using JsonDocument credential = JsonDocument.Parse(TestDocuments.OpenBadge(issuer.Id));

        byte[] signed = Sign(issuer, credential.RootElement);

        using JsonDocument document = JsonDocument.Parse(signed);
        document.RootElement.GetProperty("proof").ValueKind.Should().Be(JsonValueKind.Array);
        document.RootElement.GetProperty("proof").GetArrayLength().Should().Be(1);
        BadgeIssuer.Core.Schemas.ObSchemaValidator.Shared.Validate(document.RootElement).Violations.Should().BeEmpty("OB 3.0's canonical JSON Schema types proof as an array");
        using JsonDocument unwrapped = JsonDocument.Parse(SingleProofForm.Unwrap(signed));
        BadgeIssuer.Core.Schemas.ObSchemaValidator.Shared.Validate(unwrapped.RootElement).Violations.Should().NotBeEmpty("the single-object form fails that schema, which is why OB credentials keep the array");
        VerificationReport report = await ReportAssertVerifier().VerifyAsync(signed, TestContext.Current.CancellationToken);
        report.Verified.Should().BeTrue(string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}")));
    }

    [Fact]
    public async Task Sign_OneProofOnAPlainVc_IsAnObjectThatVerifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using JsonDocument credential = JsonDocument.Parse(Verification.ProfileTests.PlainVc(issuer.Id).ToJsonString());

        byte[] signed = Sign(issuer, credential.RootElement);

        using JsonDocument document = JsonDocument.Parse(signed);
        document.RootElement.GetProperty("proof").ValueKind.Should().Be(JsonValueKind.Object);
        VerificationReport report = await ReportAssertVerifier().VerifyAsync(signed, TestContext.Current.CancellationToken);
        report.Verified.Should().BeTrue(string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}")));
    }

    [Fact]
    public async Task Verify_OpenBadgeWithOneProofAsAnObject_IsAcceptedAsTheCompactedForm()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using JsonDocument credential = JsonDocument.Parse(TestDocuments.OpenBadge(issuer.Id));

        byte[] unwrapped = SingleProofForm.Unwrap(Sign(issuer, credential.RootElement));

        VerificationReport report = await ReportAssertVerifier().VerifyAsync(unwrapped, TestContext.Current.CancellationToken);
        report.Verified.Should().BeTrue(string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}")));
        report.Checks.Should().Contain(c => c.Name == CheckNames.Schema && c.Message.Contains("single-valued proof", StringComparison.Ordinal));
    }

    private static byte[] Sign(TestIssuer issuer, JsonElement credential)
    {
        SigningOutcome outcome = CredentialSigning.Sign(credential, new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.Profile,
            DataIntegrityKey = issuer.Key,
            Proof = new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now.AddDays(-1) },
        });

        outcome.Succeeded.Should().BeTrue(outcome.Validation is null ? outcome.Exception?.Message : string.Join("; ", outcome.Validation.Violations.Select(v => v.Message)));
        return outcome.DataIntegrity!;
    }

    private static CredentialVerifier ReportAssertVerifier() => Verification.ReportAssert.Verifier();
}
