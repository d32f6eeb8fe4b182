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
        check.Status.Should().Be(CheckStatus.Passed);
        check.Message.Should().StartWith($"endorsement {(string)endorsement["id"]!} by 'Endorser' ({endorser.Id}) (endorsement[0]): verified");
        report.Verified.Should().BeTrue(Describe(report));
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
        check.Status.Should().Be(CheckStatus.Warning);
        check.Message.Should().Contain("(credentialSubject.achievement.endorsement[0]): not verified (proof: ");
        report.Warnings.Should().Contain(check.Message);
        report.Verified.Should().BeTrue(Describe(report));
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
        checks.Length.Should().Be(2);
        checks[0].Status.Should().Be(CheckStatus.Passed);
        checks[0].Message.Should().Contain("(issuer.endorsementJwt[0]): verified");
        checks[1].Status.Should().Be(CheckStatus.Warning);
        checks[1].Message.Should().StartWith("issuer.endorsementJwt[1]: not an EndorsementCredential");
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
        check.Status.Should().Be(CheckStatus.Warning);
        check.Message.Should().Contain("not verified (type: an endorsement must have type VerifiableCredential and EndorsementCredential");
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

        Single(report, CheckNames.Endorsement).Status.Should().Be(CheckStatus.Passed);
        VerificationReport e1 = report.Endorsements.Should().ContainSingle().Which.Report;
        VerificationReport e2 = e1.Endorsements.Should().ContainSingle().Which.Report;
        VerificationReport e3 = e2.Endorsements.Should().ContainSingle().Which.Report;
        e3.Verified.Should().BeTrue(Describe(e3));
        e3.Endorsements.Should().BeEmpty();
        VerificationCheck skipped = Single(e3, CheckNames.Endorsement);
        skipped.Status.Should().Be(CheckStatus.Skipped);
        skipped.Message.Should().Be("1 endorsement(s) not verified: endorsements are verified 3 level(s) deep");
        e3.Checks[^1].Name.Should().Be("endorsement");
        report.Endorsements[0].Location.Should().Be("endorsement[0]");

        VerificationReport none = await Verifier(maxEndorsementDepth: 0).VerifyAsync(signed, Ct);
        Single(none, CheckNames.Endorsement).Status.Should().Be(CheckStatus.Skipped);
        none.Verified.Should().BeTrue();
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

        report.Checks.Where(c => c.Name == CheckNames.Endorsement).Select(c => c.Status).Should().Equal([CheckStatus.Passed, CheckStatus.Passed, CheckStatus.Skipped]);
        report.Checks[^1].Message.Should().Be("1 more endorsement(s) not verified: at most 2 are verified per input");
    }

    [Fact]
    public async Task SpecCompleteExample_PlaceholderEndorsementProofs_AreWarningsOnAVerifiedCredential()
    {
        // The complete example's five endorsements carry placeholder proofs (not keys): each is reported and fails,
        // the credential itself verifies with its issuer authenticated by the known-issuers list.
        VerificationReport report = await Verifier(SpecExampleRevocationLists(), knownIssuers: SpecExampleIssuers).VerifyAsync(
            TestVectors.Bytes("ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json"), Ct);

        VerificationCheck[] endorsements = [.. report.Checks.Where(c => c.Name == CheckNames.Endorsement)];
        endorsements.Length.Should().Be(5);
        endorsements.Should().AllSatisfy(c => c.Status.Should().Be(CheckStatus.Warning));
        endorsements.Should().Contain(c => c.Message.Contains("(credentialSubject.achievement.creator.endorsement[1])", StringComparison.Ordinal));
        report.Verified.Should().BeTrue(Describe(report));
    }

    [Fact]
    public async Task SpecEndorsementExample_EmbeddedInACredential_VerifiesWithTheEndorserAuthenticated()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(JsonNode.Parse(TestVectors.Bytes("ob-v3p0-spec-examples/sample-endorsementcredential.signed-di.json")));

        VerificationReport report = await Verifier(SpecExampleRevocationLists(), knownIssuers: SpecExampleIssuers).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck check = Single(report, CheckNames.Endorsement);
        (check.Status == CheckStatus.Passed).Should().BeTrue(check.Message);
        check.Message.Should().Contain("by 'State Department of Education' (https://state.gov/issuers/565049)");
    }
}
