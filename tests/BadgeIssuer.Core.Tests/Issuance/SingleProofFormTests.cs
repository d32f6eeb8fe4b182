using System.Text;
using System.Text.Json;
using BadgeIssuer.Core.DataIntegrity;
using BadgeIssuer.Core.Issuance;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Issuance;

/// <summary>A single proof is written as an object, a proof set stays an array, every other byte as signed.</summary>
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
    public async Task Sign_OneProof_IsAnObjectThatVerifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using JsonDocument credential = JsonDocument.Parse(TestDocuments.OpenBadge(issuer.Id));

        SigningOutcome outcome = CredentialSigning.Sign(credential.RootElement, new CredentialSigningOptions
        {
            Format = SecuringFormat.DataIntegrity,
            Checks = CredentialChecks.Profile,
            DataIntegrityKey = issuer.Key,
            Proof = new ProofOptions { VerificationMethod = issuer.VerificationMethod, Created = TestClock.Now.AddDays(-1) },
        });

        outcome.Succeeded.Should().BeTrue(outcome.Validation is null ? outcome.Exception?.Message : string.Join("; ", outcome.Validation.Violations.Select(v => v.Message)));
        using JsonDocument signed = JsonDocument.Parse(outcome.DataIntegrity!);
        signed.RootElement.GetProperty("proof").ValueKind.Should().Be(JsonValueKind.Object);
        VerificationReport report = await ReportAssertVerifier().VerifyAsync(outcome.DataIntegrity!, TestContext.Current.CancellationToken);
        report.Verified.Should().BeTrue(string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Status}: {c.Message}")));
        report.Checks.Should().Contain(c => c.Name == CheckNames.Schema && c.Message.Contains("single-valued proof", StringComparison.Ordinal));
    }

    private static CredentialVerifier ReportAssertVerifier() => Verification.ReportAssert.Verifier();
}
