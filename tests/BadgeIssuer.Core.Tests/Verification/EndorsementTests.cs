using System.Text.Json.Nodes;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class EndorsementTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EmbeddedEndorsement_Valid_IsAPassedEndorsementStepNamingTheEndorser()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        JsonNode endorsement = endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id));
        credential["endorsement"] = new JsonArray(endorsement);

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck check = Single(report, CheckNames.Endorsement);
        Assert.Equal(CheckStatus.Passed, check.Status);
        Assert.StartsWith($"endorsement {(string)endorsement["id"]!} by 'Endorser' ({endorser.Id}) (endorsement[0]): verified", check.Message, StringComparison.Ordinal);
        Assert.True(report.Verified, Describe(report));
    }

    [Fact]
    public async Task EmbeddedEndorsement_Tampered_IsAWarningAndTheCredentialStillVerifies()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        JsonNode endorsement = endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id, "Solid."));
        endorsement["credentialSubject"]!["endorsementComment"] = "Outstanding, hire at once.";
        credential["credentialSubject"]!["achievement"]!["endorsement"] = new JsonArray(endorsement);

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck check = Single(report, CheckNames.Endorsement);
        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Contains("(credentialSubject.achievement.endorsement[0]): not verified (proof: ", check.Message, StringComparison.Ordinal);
        Assert.Contains(check.Message, report.Warnings);
        Assert.True(report.Verified, Describe(report));
    }

    [Fact]
    public async Task EndorsementJwt_OnTheIssuerProfile_IsVerifiedByTheSamePipeline()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["issuer"]!["endorsementJwt"] = new JsonArray(endorser.SignJwt(TestDocuments.Endorsement(endorser.Id, issuer.Id)), "not-a-jwt");

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck[] checks = [.. report.Checks.Where(c => c.Name == CheckNames.Endorsement)];
        Assert.Equal(2, checks.Length);
        Assert.Equal(CheckStatus.Passed, checks[0].Status);
        Assert.Contains("(issuer.endorsementJwt[0]): verified", checks[0].Message, StringComparison.Ordinal);
        Assert.Equal(CheckStatus.Warning, checks[1].Status);
        Assert.StartsWith("issuer.endorsementJwt[1]: not an EndorsementCredential", checks[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmbeddedEndorsement_NotAnEndorsementCredential_FailsItsTypeStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer other = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(other.SignToNode(TestDocuments.Credential(other.Id)));

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck check = Single(report, CheckNames.Endorsement);
        Assert.Equal(CheckStatus.Warning, check.Status);
        Assert.Contains("not verified (type: an endorsement must have type VerifiableCredential and EndorsementCredential", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NestedEndorsements_DeeperThanTheLimit_AreSkipped()
    {
        // credential ← e1 ← e2 ← e3 ← e4: with the default depth limit of 3, e1..e3 are verified and e4 is skipped.
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonNode? inner = null;
        for (int level = 4; level >= 1; level--)
        {
            JsonObject e = TestDocuments.Endorsement(endorser.Id, issuer.Id, "level " + level.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (inner is not null)
            {
                e["endorsement"] = new JsonArray(inner);
            }

            inner = endorser.SignToNode(e);
        }

        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(inner);
        byte[] signed = issuer.Sign(credential);

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);

        Assert.Equal(CheckStatus.Passed, Single(report, CheckNames.Endorsement).Status);
        VerificationReport e1 = Assert.Single(report.Endorsements).Report;
        VerificationReport e2 = Assert.Single(e1.Endorsements).Report;
        VerificationReport e3 = Assert.Single(e2.Endorsements).Report;
        Assert.True(e3.Verified, Describe(e3));
        Assert.Empty(e3.Endorsements);
        VerificationCheck skipped = Single(e3, CheckNames.Endorsement);
        Assert.Equal(CheckStatus.Skipped, skipped.Status);
        Assert.Equal("1 endorsement(s) not verified: endorsements are verified 3 level(s) deep", skipped.Message);
        Assert.Equal("endorsement", e3.Checks[^1].Name);
        Assert.Equal("endorsement[0]", report.Endorsements[0].Location);

        VerificationReport none = await Verifier(maxEndorsementDepth: 0).VerifyAsync(signed, Ct);
        Assert.Equal(CheckStatus.Skipped, Single(none, CheckNames.Endorsement).Status);
        Assert.True(none.Verified);
    }

    [Fact]
    public async Task Endorsements_MoreThanTheLimit_RestAreSkipped()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(
            endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id, "one")),
            endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id, "two")),
            endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id, "three")));

        VerificationReport report = await Verifier(maxEndorsements: 2).VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Equal(
            [CheckStatus.Passed, CheckStatus.Passed, CheckStatus.Skipped],
            report.Checks.Where(c => c.Name == CheckNames.Endorsement).Select(c => c.Status));
        Assert.Equal("1 more endorsement(s) not verified: at most 2 are verified per input", report.Checks[^1].Message);
    }

    [Fact]
    public async Task SpecCompleteExample_PlaceholderEndorsementProofs_AreWarningsOnAVerifiedCredential()
    {
        // The complete example's five endorsements carry placeholder proofs (not keys): each is reported and fails,
        // the credential itself verifies with its issuer authenticated by the known-issuers list.
        VerificationReport report = await Verifier(SpecExampleRevocationLists(), knownIssuers: SpecExampleIssuers).VerifyAsync(
            TestVectors.Bytes("ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json"), Ct);

        VerificationCheck[] endorsements = [.. report.Checks.Where(c => c.Name == CheckNames.Endorsement)];
        Assert.Equal(5, endorsements.Length);
        Assert.All(endorsements, c => Assert.Equal(CheckStatus.Warning, c.Status));
        Assert.Contains(endorsements, c => c.Message.Contains("(credentialSubject.achievement.creator.endorsement[1])", StringComparison.Ordinal));
        Assert.True(report.Verified, Describe(report));
    }

    [Fact]
    public async Task SpecEndorsementExample_EmbeddedInACredential_VerifiesWithTheEndorserAuthenticated()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(JsonNode.Parse(TestVectors.Bytes("ob-v3p0-spec-examples/sample-endorsementcredential.signed-di.json")));

        VerificationReport report = await Verifier(SpecExampleRevocationLists(), knownIssuers: SpecExampleIssuers).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck check = Single(report, CheckNames.Endorsement);
        Assert.True(check.Status == CheckStatus.Passed, check.Message);
        Assert.Contains("by 'State Department of Education' (https://state.gov/issuers/565049)", check.Message, StringComparison.Ordinal);
    }
}
