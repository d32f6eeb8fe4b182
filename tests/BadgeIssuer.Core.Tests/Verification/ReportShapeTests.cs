using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.Model;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class ReportShapeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Summary_SpecAlignmentExample_HasIssuerAchievementCriteriaAlignmentsAndDates()
    {
        VerificationReport report = await Verifier(knownIssuers: SpecExampleIssuers).VerifyAsync(
            TestVectors.Bytes("ob-v3p0-spec-examples/achievement-alignment-case.signed-di.json"), Ct);
        JsonNode source = JsonNode.Parse(TestVectors.Bytes("ob-v3p0-spec-examples/achievement-alignment-case.signed-di.json"))!;
        JsonNode achievement = source["credentialSubject"]!["achievement"]!;

        CredentialSummary summary = report.Summary!;
        summary.Type.Should().Be("OpenBadgeCredential");
        summary.Name.Should().Be((string?)source["name"]);
        summary.Issuer.Should().Be(new ProfileSummary("https://example.edu/issuers/565049", "Example University", (string?)source["issuer"]!["url"], (string?)source["issuer"]!["image"]?["id"]));
        summary.Achievement!.Name.Should().Be((string?)achievement["name"]);
        summary.Achievement.Description.Should().Be((string?)achievement["description"]);
        summary.Achievement.CriteriaNarrative.Should().Be((string?)achievement["criteria"]!["narrative"]);
        summary.Achievement.Image.Should().Be((string?)achievement["image"]?["id"]);
        AlignmentSummary alignment = summary.Achievement.Alignments.Should().ContainSingle().Which;
        alignment.TargetName.Should().Be((string?)achievement["alignment"]![0]!["targetName"]);
        alignment.TargetUrl.Should().Be((string?)achievement["alignment"]![0]!["targetUrl"]);
        summary.ValidFrom.Should().Be((string?)source["validFrom"]);
        summary.Status.Should().Be(CredentialStatusState.None);
    }

    [Fact]
    public async Task Summary_RecipientNameAndAwardedDate_AreShownFromPlainIdentifiers()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["awardedDate"] = "2026-02-03T04:05:06Z";
        JsonObject subject = credential["credentialSubject"]!.AsObject();
        subject.Remove("id");
        subject["identifier"] = new JsonArray(
            new JsonObject { ["type"] = "IdentityObject", ["identityType"] = "emailAddress", ["hashed"] = true, ["identityHash"] = IdentityHash.ComputeSha256("ada@example.org", "pepper"), ["salt"] = "pepper" },
            new JsonObject { ["type"] = "IdentityObject", ["identityType"] = "name", ["hashed"] = false, ["identityHash"] = "Ada Lovelace" });
        credential["credentialSubject"]!["achievement"]!["achievementType"] = "Certificate";

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Summary!.RecipientName.Should().Be("Ada Lovelace");
        report.Summary.AwardedDate.Should().Be("2026-02-03T04:05:06Z");
        report.Summary.Achievement!.AchievementType.Should().Be("Certificate");
    }

    [Fact]
    public async Task WriteTo_NotVerified_HasWarningsErrorsAndCredentialSummary()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.Credential(issuer.Id, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);
        using JsonDocument json = ToJson(report);
        JsonElement root = json.RootElement;

        root.EnumerateObject().Select(p => p.Name).Should().Equal(["verified", "verdict", "format", "profile", "credentialId", "issuer", "checks", "warnings", "errors", "status", "credential"]);
        root.GetProperty("verified").GetBoolean().Should().BeFalse();
        root.GetProperty("verdict").GetString().Should().Be("Not valid: expired: validUntil was 2026-06-01T00:00:00Z.");
        root.GetProperty("errors").EnumerateArray().Select(e => e.GetString()).Should().Equal(["expired: validUntil was 2026-06-01T00:00:00Z"]);
        root.GetProperty("warnings").EnumerateArray().Should().Contain(w => w.GetString()!.Contains("known issuers", StringComparison.Ordinal));
        JsonElement credential = root.GetProperty("credential");
        credential.GetProperty("issuer").GetProperty("name").GetString().Should().Be("Test Issuer");
        credential.GetProperty("issuer").GetProperty("url").GetString().Should().Be("https://issuer.example");
        credential.GetProperty("achievement").GetProperty("name").GetString().Should().Be("Achievement");
        credential.GetProperty("achievement").GetProperty("criteria").GetProperty("narrative").GetString().Should().Be("Do the thing.");
        credential.GetProperty("validUntil").GetString().Should().Be("2026-06-01T00:00:00Z");
        credential.GetProperty("status").GetString().Should().Be("none");
        credential.TryGetProperty("recipient", out _).Should().BeFalse();
    }

    [Fact]
    public async Task WriteTo_UnreadableInput_HasNoCredentialSummary()
    {
        VerificationReport report = await Verifier().VerifyAsync("{\"a\": "u8.ToArray(), Ct);
        using JsonDocument json = ToJson(report);

        report.InputReadable.Should().BeFalse();
        json.RootElement.TryGetProperty("credential", out _).Should().BeFalse();
        json.RootElement.GetProperty("errors").EnumerateArray().Should().ContainSingle();
    }

    [Theory]
    [InlineData("ada@example.org")]
    [InlineData("Ada@Example.ORG")]
    [InlineData("  ada@example.org ")]
    public async Task Recipient_EmailInAnyCase_MatchesTheServicesLowerCasedHash(string given)
    {
        // The issuing service trims and lower-cases the address before hashing it with a salt.
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialSubject"]!["identifier"] = new JsonArray(
            new JsonObject { ["type"] = "IdentityObject", ["identityType"] = "emailAddress", ["hashed"] = true, ["identityHash"] = IdentityHash.ComputeSha256("ada@example.org", "s4lt"), ["salt"] = "s4lt" });
        byte[] signed = issuer.Sign(credential);

        VerificationReport report = await Verifier().ForRequest(given).VerifyAsync(signed, Ct);
        VerificationReport other = await Verifier(recipient: "grace@example.org").VerifyAsync(signed, Ct);

        Single(report, CheckNames.Recipient).Status.Should().Be(CheckStatus.Passed);
        report.Verified.Should().BeTrue(Describe(report));
        Single(other, CheckNames.Recipient).Status.Should().Be(CheckStatus.Failed);
        other.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task Recipient_SubjectId_MatchesAndIsNotCheckedOnEndorsements()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id)));

        VerificationReport report = await Verifier(recipient: "did:example:learner").VerifyAsync(issuer.Sign(credential), Ct);

        Single(report, CheckNames.Recipient).Status.Should().Be(CheckStatus.Passed);
        report.Endorsements[0].Report.Checks.Should().NotContain(c => c.Name == CheckNames.Recipient);
    }
}
