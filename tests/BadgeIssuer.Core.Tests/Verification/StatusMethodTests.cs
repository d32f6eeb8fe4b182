using System.Text;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;
using static BadgeIssuer.Core.Tests.Verification.ReportAssert;

namespace BadgeIssuer.Core.Tests.Verification;

public sealed class StatusMethodTests
{
    private const string ListUrl = "https://issuer.example/status-lists/1";
    private const string RevocationFixture = "1edtech-validator-fixtures/credential-status-revoked.json";
    private const string RevocationListUrl = "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/da1e96e9-afcc-4eed-b9a2-2ddf7353214c";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("revocation", true, CheckStatus.Failed, "revoked", CredentialStatusState.Revoked)]
    [InlineData("revocation", false, CheckStatus.Passed, "not revoked", CredentialStatusState.Active)]
    [InlineData("suspension", true, CheckStatus.Failed, "suspended", CredentialStatusState.Suspended)]
    [InlineData("suspension", false, CheckStatus.Passed, "not suspended", CredentialStatusState.Active)]
    public async Task BitstringEntry_ListBitSetOrClear_ReportsRevokedSuspendedOrActive(string purpose, bool set, CheckStatus expected, string state, CredentialStatusState display)
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, purpose, 42);
        byte[] list = issuer.StatusList(ListUrl, purpose == "revocation" ? StatusPurpose.Revocation : StatusPurpose.Suspension, set ? [42] : [7]);

        VerificationReport report = await Verifier(new InMemoryStatusListSource().Add(ListUrl, list)).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(expected);
        status.Message.Should().StartWith(state + " (");
        report.Verified.Should().Be(!set);
        report.Summary!.Status.Should().Be(display);
    }

    [Fact]
    public async Task BitstringEntries_RevocationAndSuspension_EachReportedAndSuspensionWins()
    {
        using TestIssuer issuer = TestIssuer.Create();
        const string suspensions = ListUrl + "-suspensions";
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = new JsonArray(TestDocuments.BitstringEntry(ListUrl, "revocation", 3), TestDocuments.BitstringEntry(suspensions, "suspension", 3));
        var lists = new InMemoryStatusListSource()
            .Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation))
            .Add(suspensions, issuer.StatusList(suspensions, StatusPurpose.Suspension, 3));

        VerificationReport report = await Verifier(lists).VerifyAsync(issuer.Sign(credential), Ct);

        report.Checks.Where(c => c.Name == CheckNames.Status).Select(c => c.Status).Should().Equal([CheckStatus.Passed, CheckStatus.Failed]);
        report.Summary!.Status.Should().Be(CredentialStatusState.Suspended);
        report.Errors.Should().Contain(e => e.StartsWith("suspended", StringComparison.Ordinal));
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task StatusList2021Entry_LegacyListWithBitSet_FailsAsRevoked()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.LegacyCredential(issuer.Id, "2026-01-01T00:00:00Z", null, BitstringStatusListCredential.LegacyStatusListContext);
        credential["credentialStatus"] = new JsonObject
        {
            ["id"] = ListUrl + "#5",
            ["type"] = "StatusList2021Entry",
            ["statusPurpose"] = "revocation",
            ["statusListIndex"] = "5",
            ["statusListCredential"] = ListUrl,
        };
        var bits = new BitstringStatusList();
        bits.Set(5, true);
        var list = new JsonObject
        {
            ["@context"] = new JsonArray("https://www.w3.org/2018/credentials/v1", BitstringStatusListCredential.LegacyStatusListContext, "https://w3id.org/security/data-integrity/v1"),
            ["id"] = ListUrl,
            ["type"] = new JsonArray("VerifiableCredential", "StatusList2021Credential"),
            ["issuer"] = issuer.Id,
            ["issuanceDate"] = "2026-01-01T00:00:00Z",
            ["credentialSubject"] = new JsonObject
            {
                ["id"] = ListUrl + "#list",
                ["type"] = "StatusList2021",
                ["statusPurpose"] = "revocation",
                ["encodedList"] = bits.Encode(),
            },
        };
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.Sign(list));

        VerificationReport report = await Verifier(lists).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        (status.Status == CheckStatus.Failed).Should().BeTrue(Describe(report));
        status.Message.Should().StartWith("revoked");
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        report.Summary!.Status.Should().Be(CredentialStatusState.Revoked);
    }

    [Fact]
    public async Task StatusList2021Entry_PointingAtBitstringList_FailsTheStatusStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        JsonObject entry = TestDocuments.BitstringEntry(ListUrl, "revocation", 1);
        entry["type"] = "StatusList2021Entry";
        credential["credentialStatus"] = entry;
        credential["@context"]!.AsArray().Add(BitstringStatusListCredential.LegacyStatusListContext);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation));

        VerificationReport report = await Verifier(lists).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().Contain("STATUS_VERIFICATION_ERROR");
        report.Summary!.Status.Should().Be(CredentialStatusState.Unknown);
    }

    [Fact]
    public async Task BitstringEntry_ListSignedByAnotherIssuer_FailsTheStatusStep()
    {
        using TestIssuer issuer = TestIssuer.Create();
        using TestIssuer other = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, other.StatusList(ListUrl, StatusPurpose.Revocation));

        VerificationReport report = await Verifier(lists).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().Contain($"issued by '{other.Id}'");
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task BitstringEntry_TamperedList_FailsWithStatusVerificationError()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        JsonNode list = JsonNode.Parse(issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42))!;

        // Clearing the bit (reinstating a revoked credential) without re-signing the list.
        list["credentialSubject"]!["encodedList"] = new BitstringStatusList().Encode();
        var lists = new InMemoryStatusListSource().Add(ListUrl, TestDocuments.Utf8(list));

        VerificationReport report = await Verifier(lists).VerifyAsync(issuer.Sign(credential), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().StartWith("STATUS_VERIFICATION_ERROR: the status list credential's proof does not verify");
    }

    [Fact]
    public async Task BitstringEntry_ListChangesBetweenCalls_CachedOnlyWhileBytesAreEqual()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        byte[] signed = issuer.Sign(credential);
        var source = new SwitchingSource(issuer.StatusList(ListUrl, StatusPurpose.Revocation));
        CredentialVerifier verifier = Verifier(source);

        (await verifier.VerifyAsync(signed, Ct)).Verified.Should().BeTrue();
        (await verifier.VerifyAsync(signed, Ct)).Verified.Should().BeTrue();
        source.Current = issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42);
        VerificationReport revoked = await verifier.VerifyAsync(signed, Ct);

        revoked.Verified.Should().BeFalse();
        revoked.Summary!.Status.Should().Be(CredentialStatusState.Revoked);
    }

    [Fact]
    public async Task BitstringEntry_ListUnavailable_FailsClosedAndStatusUnknown()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);

        VerificationReport report = await Verifier(new InMemoryStatusListSource()).VerifyAsync(issuer.Sign(credential), Ct);

        Single(report, CheckNames.Status).Status.Should().Be(CheckStatus.Failed);
        report.Summary!.Status.Should().Be(CredentialStatusState.Unknown);
        report.Verified.Should().BeFalse(Describe(report));
    }

    [Fact]
    public async Task BitstringEntry_ListKeyOnlyFromFragment_NotRevokedIsWarningUnlessTrusted()
    {
        // The 1EdTech fixture list is signed with a fragment key of an https issuer; index 23 is set, 0 is not.
        const string dir = "1edtech-validator-fixtures/bitstring-status-list/";
        JsonNode credential = JsonNode.Parse(TestVectors.Bytes(dir + "credential-status-revoked.json"))!;
        string listUrl = (string)credential["credentialStatus"]!["statusListCredential"]!;
        var lists = new InMemoryStatusListSource().Add(listUrl, TestVectors.Bytes(dir + "testlist.json"));

        VerificationReport untrusted = await Verifier(lists).VerifyAsync(TestVectors.Bytes(dir + "credential-status-revoked.json"), Ct);
        Single(untrusted, CheckNames.Status).Status.Should().Be(CheckStatus.Failed);

        VerificationReport known = await Verifier(lists, knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes(dir + "credential-status-revoked.json"), Ct);
        Single(known, CheckNames.Status).Status.Should().Be(CheckStatus.Failed);
        Single(known, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Passed);
        known.Summary!.Status.Should().Be(CredentialStatusState.Revoked);
    }

    [Fact]
    public async Task RevocationList_CredentialListed_FailsAsRevokedWithTheReason()
    {
        var lists = new InMemoryStatusListSource().Add(RevocationListUrl, TestDataFiles.Bytes("revocation-lists/wellspring-revoked.json"));

        VerificationReport report = await Verifier(lists, knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes(RevocationFixture), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().StartWith("revoked: Awarded to the wrong learner (1EdTech revocation list " + RevocationListUrl);
        Single(report, CheckNames.Proof).Status.Should().Be(CheckStatus.Passed);
        Single(report, CheckNames.IssuerKey).Status.Should().Be(CheckStatus.Passed);
        report.Summary!.Status.Should().Be(CredentialStatusState.Revoked);
        report.Verified.Should().BeFalse();
    }

    [Fact]
    public async Task RevocationList_CredentialReinstated_PassesTheStatusStep()
    {
        var lists = new InMemoryStatusListSource().Add(RevocationListUrl, TestDataFiles.Bytes("revocation-lists/wellspring-reinstated.json"));

        VerificationReport report = await Verifier(lists, knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes(RevocationFixture), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Passed);
        status.Message.Should().StartWith("not revoked");
        report.Summary!.Status.Should().Be(CredentialStatusState.Active);
        report.Verified.Should().BeTrue(Describe(report));
    }

    [Fact]
    public async Task RevocationList_Unavailable_FailsClosed()
    {
        VerificationReport report = await Verifier(new InMemoryStatusListSource(), knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes(RevocationFixture), Ct);

        Single(report, CheckNames.Status).Status.Should().Be(CheckStatus.Failed);
        report.Summary!.Status.Should().Be(CredentialStatusState.Unknown);
        report.Verified.Should().BeFalse();
    }

    [Theory]
    [InlineData("""{"id": "https://elsewhere.example/list", "revokedCredential": []}""", "names itself")]
    [InlineData("""{"issuer": "https://someone-else.example", "revokedCredential": []}""", "is issued by 'https://someone-else.example'")]
    [InlineData("""{"revoked": []}""", "no revokedCredential array")]
    [InlineData("""[]""", "not a JSON object")]
    [InlineData("""{"revokedCredential": [], "proof": {"type": "DataIntegrityProof"}}""", "proof does not verify")]
    public async Task RevocationList_Malformed_FailsTheStatusStep(string list, string reason)
    {
        var lists = new InMemoryStatusListSource().Add(RevocationListUrl, Encoding.UTF8.GetBytes(list));

        VerificationReport report = await Verifier(lists, knownIssuers: SpecExampleIssuers).VerifyAsync(TestVectors.Bytes(RevocationFixture), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().Contain(reason);
    }

    [Fact]
    public async Task UnsupportedStatusMethod_FailsClosed()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = new JsonObject { ["id"] = "https://issuer.example/status/9", ["type"] = "CredentialStatusList2017" };

        // Not signed (the type is undefined in the contexts): the status step does not depend on the proof.
        VerificationReport report = await Verifier(new InMemoryStatusListSource()).VerifyAsync(TestDocuments.Utf8(credential), Ct);

        VerificationCheck status = Single(report, CheckNames.Status);
        status.Status.Should().Be(CheckStatus.Failed);
        status.Message.Should().Contain("CredentialStatusList2017");

        // Nothing verified, so no summary: it would show content no signature covers.
        report.Summary.Should().BeNull();
    }

    private sealed class SwitchingSource(byte[] initial) : IStatusListCredentialSource
    {
        public byte[] Current { get; set; } = initial;

        public ValueTask<ReadOnlyMemory<byte>?> GetAsync(string url, CancellationToken cancellationToken = default)
            => ValueTask.FromResult<ReadOnlyMemory<byte>?>(Current);
    }
}
