using System.Text.Json.Nodes;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>A proof's options are read from its JSON; they must be what its signed configuration says (SignedProof.cs).</summary>
public sealed class SignedProofTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("created", "http://purl.org/dc/terms/created", "dateTime")]
    [InlineData("proofPurpose", "https://w3id.org/security#proofPurpose", "vocab")]
    public async Task AProofMemberSpelledAsItsIri_KeepsTheSignature_ButIsRefused(string member, string iri, string valueForm)
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonNode signed = issuer.SignToNode(TestDocuments.Credential(issuer.Id));
        JsonObject proof = (signed["proof"] is JsonArray array ? array[0] : signed["proof"])!.AsObject();
        string value = proof[member]!.GetValue<string>();
        proof.Remove(member);

        // The same signed statement under the IRI: a typed value object, or the vocabulary IRI as a node reference.
        proof[iri] = valueForm == "dateTime"
            ? new JsonObject { ["@value"] = value, ["@type"] = "http://www.w3.org/2001/XMLSchema#dateTime" }
            : new JsonObject { ["@id"] = "https://w3id.org/security#" + value };

        VerificationReport report = await Verifier().VerifyAsync(TestDocuments.Utf8(signed), Ct);

        VerificationCheck check = Single(report, CheckNames.Proof);
        check.Status.Should().Be(CheckStatus.Failed);
        check.Message.Should().Contain(member == "proofPurpose" ? "lacks verificationMethod, proofPurpose or proofValue" : "does not say what its signed form says");
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task AnUntouchedProof_Verifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(TestDocuments.Credential(issuer.Id)), Ct);
        report.Verified.Should().BeTrue(Describe(report));
    }
}
