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
        Assert.Equal("OpenBadgeCredential", summary.Type);
        Assert.Equal((string?)source["name"], summary.Name);
        Assert.Equal(new ProfileSummary("https://example.edu/issuers/565049", "Example University", (string?)source["issuer"]!["url"], (string?)source["issuer"]!["image"]?["id"]), summary.Issuer);
        Assert.Equal((string?)achievement["name"], summary.Achievement!.Name);
        Assert.Equal((string?)achievement["description"], summary.Achievement.Description);
        Assert.Equal((string?)achievement["criteria"]!["narrative"], summary.Achievement.CriteriaNarrative);
        Assert.Equal((string?)achievement["image"]?["id"], summary.Achievement.Image);
        AlignmentSummary alignment = Assert.Single(summary.Achievement.Alignments);
        Assert.Equal((string?)achievement["alignment"]![0]!["targetName"], alignment.TargetName);
        Assert.Equal((string?)achievement["alignment"]![0]!["targetUrl"], alignment.TargetUrl);
        Assert.Equal((string?)source["validFrom"], summary.ValidFrom);
        Assert.Equal(CredentialStatusState.None, summary.Status);
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

        Assert.True(report.Verified, Describe(report));
        Assert.Equal("Ada Lovelace", report.Summary!.RecipientName);
        Assert.Equal("2026-02-03T04:05:06Z", report.Summary.AwardedDate);
        Assert.Equal("Certificate", report.Summary.Achievement!.AchievementType);
    }

    [Fact]
    public async Task WriteTo_NotVerified_HasWarningsErrorsAndCredentialSummary()
    {
        using TestIssuer issuer = TestIssuer.Create();
        byte[] signed = issuer.Sign(TestDocuments.Credential(issuer.Id, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"));

        VerificationReport report = await Verifier().VerifyAsync(signed, Ct);
        using JsonDocument json = ToJson(report);
        JsonElement root = json.RootElement;

        Assert.Equal(
            ["verified", "format", "credentialId", "issuer", "checks", "warnings", "errors", "status", "credential"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.False(root.GetProperty("verified").GetBoolean());
        Assert.Equal(["expired: validUntil was 2026-06-01T00:00:00Z"], root.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(root.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("known issuers", StringComparison.Ordinal));
        JsonElement credential = root.GetProperty("credential");
        Assert.Equal("Test Issuer", credential.GetProperty("issuer").GetProperty("name").GetString());
        Assert.Equal("https://issuer.example", credential.GetProperty("issuer").GetProperty("url").GetString());
        Assert.Equal("Achievement", credential.GetProperty("achievement").GetProperty("name").GetString());
        Assert.Equal("Do the thing.", credential.GetProperty("achievement").GetProperty("criteria").GetProperty("narrative").GetString());
        Assert.Equal("2026-06-01T00:00:00Z", credential.GetProperty("validUntil").GetString());
        Assert.Equal("none", credential.GetProperty("status").GetString());
        Assert.False(credential.TryGetProperty("recipient", out _));
    }

    [Fact]
    public async Task WriteTo_UnreadableInput_HasNoCredentialSummary()
    {
        VerificationReport report = await Verifier().VerifyAsync("{\"a\": "u8.ToArray(), Ct);
        using JsonDocument json = ToJson(report);

        Assert.False(report.InputReadable);
        Assert.False(json.RootElement.TryGetProperty("credential", out _));
        Assert.Single(json.RootElement.GetProperty("errors").EnumerateArray());
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

        Assert.Equal(CheckStatus.Passed, Single(report, CheckNames.Recipient).Status);
        Assert.True(report.Verified, Describe(report));
        Assert.Equal(CheckStatus.Failed, Single(other, CheckNames.Recipient).Status);
        Assert.False(other.Verified);
    }

    [Fact]
    public async Task Recipient_SubjectId_MatchesAndIsNotCheckedOnEndorsements()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer endorser = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["endorsement"] = new JsonArray(endorser.SignToNode(TestDocuments.Endorsement(endorser.Id, issuer.Id)));

        VerificationReport report = await Verifier(recipient: "did:example:learner").VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Equal(CheckStatus.Passed, Single(report, CheckNames.Recipient).Status);
        Assert.DoesNotContain(report.Endorsements[0].Report.Checks, c => c.Name == CheckNames.Recipient);
    }
}
