using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>
/// Issue 13: a false verdict always has an error giving the reason, the one-sentence verdict (built from the report and
/// the signed summary only, credential values quoted, bounded and cleaned), and the status findings.
/// </summary>
public sealed class VerdictTests
{
    private const string ListUrl = "https://issuer.example/status-lists/1";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Vectors => new(
        "ob-v3p0-spec-examples/sample-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/complete-openbadgecredential.signed-di.json",
        "ob-v3p0-spec-examples/sample-endorsementcredential.signed-di.json",
        "ob-v3p0-spec-examples/sample-openbadgecredential.jwt",
        "ob-v3p0-spec-examples/achievement-alignment-case.jwt",
        "1edtech-validator-fixtures/simple.json",
        "1edtech-validator-fixtures/credential-status-revoked.json",
        "1edtech-validator-fixtures/baked/simple-json.png",
        "1edtech-validator-fixtures/baked/simple-jwt.svg");

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task NotVerified_AlwaysHasAnErrorAndANotValidVerdict(string file)
    {
        // The published examples without their issuers' documents, with and without status lists: none verifies.
        foreach (CredentialVerifier verifier in new[] { Verifier(), Verifier(SpecExampleRevocationLists()) })
        {
            VerificationReport report = await verifier.VerifyAsync(TestVectors.Bytes(file), Ct);
            report.Verified.Should().BeFalse(Describe(report));
            report.Errors.Should().NotBeEmpty();
            report.Verdict.Should().StartWith("Not valid: ");
            using JsonDocument json = ToJson(report);
            json.RootElement.GetProperty("errors").GetArrayLength().Should().NotBe(0);
            json.RootElement.GetProperty("verdict").GetString().Should().Be(report.Verdict);
        }
    }

    [Fact]
    public async Task PublishedExample_OnlyAnUntrustedKey_FailsTheIssuerKeyStep()
    {
        // Before: verified:false with errors:[] (the issuer-key step was only a warning).
        VerificationReport report = await Verifier(SpecExampleRevocationLists()).VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/simple.json"), Ct);

        report.Verified.Should().BeFalse();
        VerificationCheck key = Single(report, CheckNames.IssuerKey);
        key.Status.Should().Be(CheckStatus.Failed);
        report.Errors.Should().Equal([key.Message]);
        report.Checks.Should().NotContain(c => c.Name == CheckNames.Verdict);
    }

    [Fact]
    public void Report_NotVerifiedWithoutAFailedStep_GetsTheVerdictReasonAsAnError()
    {
        var report = new VerificationReport("json", [new VerificationCheck(CheckNames.Proof, CheckStatus.Skipped, "no proof")], null, null);

        report.Verified.Should().BeFalse();
        VerificationCheck verdict = Single(report, CheckNames.Verdict);
        verdict.Status.Should().Be(CheckStatus.Failed);
        report.Errors.Should().Equal([verdict.Message]);
        report.Verdict.Should().Be("Not valid: not verified: no proof verified.");
    }

    [Fact]
    public async Task Valid_SentenceNamesAchievementIssuerRecipientDateAndStatus()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id, validFrom: "2026-12-07T09:00:00Z");
        credential["issuer"]!["name"] = "Acme College";
        credential["credentialSubject"]!["name"] = "Ada Lovelace";
        credential["credentialSubject"]!["achievement"]!["name"] = "Intro to Welding";
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 7));

        VerificationReport report = await Verifier(lists, now: new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero)).VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Verdict.Should().Be($"Valid: 'Intro to Welding', issued by 'Acme College' ('{issuer.Id}', not a known issuer) to 'Ada Lovelace' on 2026-12-07, not revoked.");
        StatusFinding finding = report.StatusFindings.Should().ContainSingle().Which;
        finding.Should().Be(new StatusFinding("revocation", false, null, null, null));
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData("   ")]
    public async Task Valid_AnIssuerNameThatCleansToNothing_StillShowsTheIdentifierAndTheCaveat(string name)
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id, validFrom: "2025-01-01T00:00:00Z");
        credential["issuer"]!["name"] = name;

        VerificationReport report = await Verifier(new InMemoryStatusListSource(), now: new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero)).VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Verdict.Should().Contain($"issued by '{issuer.Id}' (not a known issuer)");
    }

    [Fact]
    public async Task Valid_AnIssuerNameNobodyHereVouchesFor_IsShownWithTheSigningIdentifier()
    {
        // Anyone can mint a did:key and call it "Harvard University": the signature is valid, the name is a claim.
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id, validFrom: "2025-01-01T00:00:00Z");
        credential["issuer"]!["name"] = "Harvard University";
        credential["credentialSubject"]!["achievement"]!["name"] = "Doctor of Medicine";

        VerificationReport report = await Verifier(new InMemoryStatusListSource(), now: new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero)).VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        report.Verdict.Should().StartWith($"Valid: 'Doctor of Medicine', issued by 'Harvard University' ('{issuer.Id}', not a known issuer)");
    }

    [Fact]
    public async Task Revoked_SentenceSaysRevokedAndTheReportListsTheFinding()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        JsonObject entry = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        entry["statusMessage"] = new JsonArray(
            new JsonObject { ["status"] = "0x0", ["message"] = "valid" },
            new JsonObject { ["status"] = "0x1", ["message"] = "revoked by the registrar" });
        credential["credentialStatus"] = entry;
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));

        VerificationReport report = await Verifier(lists).VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeFalse();
        report.Verdict.Should().Be("Not valid: revoked (status: revoked by the registrar).");
        report.StatusFindings.Should().ContainSingle().Which.Should().Be(new StatusFinding("revocation", true, "revoked by the registrar", null, null));
        using JsonDocument json = ToJson(report);
        JsonElement status = json.RootElement.GetProperty("status").EnumerateArray().Should().ContainSingle().Which;
        status.GetProperty("purpose").GetString().Should().Be("revocation");
        status.GetProperty("set").GetBoolean().Should().BeTrue();
        status.GetProperty("message").GetString().Should().Be("revoked by the registrar");
        status.TryGetProperty("reason", out _).Should().BeFalse();
    }

    [Fact]
    public async Task RevocationList_ReasonIsInTheFindingAndTheSentence()
    {
        const string url = "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c";
        var lists = new InMemoryStatusListSource().Add(url, TestDataFiles.Bytes("revocation-lists/wellspring-revoked.json"));

        VerificationReport report = await Verifier(lists, knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes("1edtech-validator-fixtures/credential-status-revoked.json"), Ct);

        report.Verdict.Should().Be("Not valid: revoked (reason: Awarded to the wrong learner).");
        report.StatusFindings.Should().ContainSingle().Which.Reason.Should().Be("Awarded to the wrong learner");
    }

    [Fact]
    public async Task Tampered_SummaryAndVerdictNeverShowTheForgedName()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        JsonNode signed = issuer.SignToNode(credential);
        signed["credentialSubject"]!["achievement"]!["name"] = "Forged Doctorate";

        VerificationReport report = await Verifier().VerifyAsync(TestDocuments.Utf8(signed), Ct);

        report.Verified.Should().BeFalse();
        report.Summary.Should().BeNull();
        report.Verdict.Should().Be("Not valid: the signature does not match the content (it was changed after signing, or signed with another key).");
        using JsonDocument json = ToJson(report);
        json.RootElement.TryGetProperty("credential", out _).Should().BeFalse();
        json.RootElement.GetRawText().Should().NotContain("Forged Doctorate");
    }

    [Fact]
    public async Task Tampered_VcJwtPayload_SummaryAndVerdictNeverShowTheForgedName()
    {
        using TestIssuer issuer = TestIssuer.Create();
        string jwt = issuer.SignJwt(TestDocuments.Credential(issuer.Id));
        string[] parts = jwt.Split('.');
        JsonNode claims = JsonNode.Parse(Base64Url(parts[1]))!;
        (claims["vc"] ?? claims)["credentialSubject"]!["achievement"]!["name"] = "Forged Doctorate";
        string forged = parts[0] + "." + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString())) + "." + parts[2];

        VerificationReport report = await Verifier().VerifyAsync(Encoding.ASCII.GetBytes(forged), Ct);

        report.Verified.Should().BeFalse();
        report.Summary.Should().BeNull();
        report.Verdict.Should().StartWith("Not valid: the signature does not match the content");
        using JsonDocument json = ToJson(report);
        json.RootElement.GetRawText().Should().NotContain("Forged Doctorate");
    }

    [Fact]
    public async Task Valid_CredentialValuesAreQuotedBoundedAndStrippedOfControlAndBidiCharacters()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialSubject"]!["achievement"]!["name"] = "Intro\u202E gnidleW\u202C to\r\nWelding 'advanced'\u0007";
        credential["issuer"]!["name"] = new string('A', 500);

        VerificationReport report = await Verifier().VerifyAsync(issuer.Sign(credential), Ct);

        report.Verified.Should().BeTrue(Describe(report));
        string expectedIssuer = "'" + new string('A', VerdictSentence.MaxValueLength - 1) + "…'";
        report.Verdict.Should().Be($"Valid: 'Intro gnidleW to Welding ’advanced’', issued by {expectedIssuer} ('{issuer.Id}', not a known issuer) on 2026-01-01, with no revocation status (it cannot be revoked).");
        report.Verdict.Where(c => char.IsControl(c) || c is '\u202E' or '\u202C').Should().BeEmpty();
    }

    [Fact]
    public async Task UnresolvableKey_MessageNamesTheKeyAndTheHint()
    {
        using TestIssuer issuer = TestIssuer.Create();
        string jwt = issuer.SignJwt(TestDocuments.Credential("did:web:issuer.example:issuers:1"));
        string header = System.Buffers.Text.Base64Url.EncodeToString("""{"alg":"EdDSA","typ":"vc+jwt","kid":"did:web:issuer.example:issuers:1#key-1"}"""u8);
        string token = header + jwt[jwt.IndexOf('.', StringComparison.Ordinal)..];
        var verifier = new CredentialVerifier(new CredentialVerifierOptions { TimeProvider = new FixedTimeProvider(TestClock.Now), KeyResolutionHint = "give it with --did-documents DIR" });

        VerificationReport report = await verifier.VerifyAsync(Encoding.ASCII.GetBytes(token), Ct);

        VerificationCheck proof = Single(report, CheckNames.Proof);
        proof.Message.Should().Contain("'did:web:issuer.example:issuers:1#key-1'");
        proof.Message.Should().EndWith("; give it with --did-documents DIR");
        report.Verdict.Should().StartWith("Not valid: the signing key could not be found");
    }

    private static byte[] Base64Url(string value) => System.Buffers.Text.Base64Url.DecodeFromChars(value);
}
