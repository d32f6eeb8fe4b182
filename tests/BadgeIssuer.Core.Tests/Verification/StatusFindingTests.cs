using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>Status findings: one per entry read, the list's statusMessage, and the host's own change records.</summary>
public sealed class StatusFindingTests
{
    private const string ListUrl = "https://issuer.example/status-lists/1";
    private static readonly DateTimeOffset s_changedAt = new(2026, 10, 8, 9, 10, 11, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CredentialVerifier Verifier(IStatusListCredentialSource lists, IStatusRecordSource? records) => new(new CredentialVerifierOptions
    {
        TimeProvider = new FixedTimeProvider(TestClock.Now),
        StatusLists = lists,
        StatusRecords = records,
    });

    [Fact]
    public async Task OwnList_RevokedWithRecord_FindingCarriesTimeAndReason_InReportAndJson()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));
        var records = new Records { [(ListUrl, 42)] = new StatusEntryRecord(s_changedAt, 1, "issued in error", (string)credential["id"]!) };

        VerificationReport report = await Verifier(lists, records).VerifyAsync(issuer.Sign(credential), Ct);

        report.StatusFindings.Should().ContainSingle().Which.Should().Be(new StatusFinding("revocation", true, null, s_changedAt, "issued in error"));
        ReportAssert.Single(report, CheckNames.Status).Message.Should().Contain("changed 2026-10-08T09:10:11Z; reason: issued in error");
        using JsonDocument json = ReportAssert.ToJson(report);
        JsonElement status = json.RootElement.GetProperty("status").EnumerateArray().ToList().Should().ContainSingle().Which;
        status.GetProperty("purpose").GetString().Should().Be("revocation");
        status.GetProperty("set").GetBoolean().Should().BeTrue();
        status.GetProperty("changedAt").GetString().Should().Be("2026-10-08T09:10:11Z");
        status.GetProperty("reason").GetString().Should().Be("issued in error");
        status.TryGetProperty("message", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Record_DisagreeingWithTheVerifiedList_IsNotReported()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "suspension", 5);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Suspension, 5));
        var records = new Records { [(ListUrl, 5)] = new StatusEntryRecord(s_changedAt, 0, "reinstated", (string)credential["id"]!) };

        VerificationReport report = await Verifier(lists, records).VerifyAsync(issuer.Sign(credential), Ct);

        report.StatusFindings.Should().ContainSingle().Which.Should().Be(new StatusFinding("suspension", true, null, null, null));
    }

    [Fact]
    public async Task Record_OfAnotherCredential_IsNotReported()
    {
        // Anyone may sign a credential naming any list and index: the record belongs to the credential it was made for.
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));
        var records = new Records { [(ListUrl, 42)] = new StatusEntryRecord(s_changedAt, 1, "plagiarism", "urn:uuid:someone-else") };

        VerificationReport report = await Verifier(lists, records).VerifyAsync(issuer.Sign(credential), Ct);

        report.StatusFindings.Should().ContainSingle().Which.Should().Be(new StatusFinding("revocation", true, null, null, null));
        ReportAssert.Single(report, CheckNames.Status).Message.Should().NotContain("plagiarism");
    }

    [Fact]
    public async Task Record_ForACredentialWhoseProofFails_IsNotReported()
    {
        // A document with the right id but no valid proof (here: changed after signing) reads no record.
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));
        var records = new Records { [(ListUrl, 42)] = new StatusEntryRecord(s_changedAt, 1, "plagiarism", (string)credential["id"]!) };
        JsonObject tampered = JsonNode.Parse(issuer.Sign(credential))!.AsObject();
        tampered["name"] = "Something else";

        VerificationReport report = await Verifier(lists, records).VerifyAsync(System.Text.Encoding.UTF8.GetBytes(tampered.ToJsonString()), Ct);

        report.Verified.Should().BeFalse();
        report.StatusFindings.Should().AllSatisfy(f => f.Reason.Should().BeNull());
        report.Checks.Should().NotContain(c => c.Message.Contains("plagiarism", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForeignList_NoRecordSource_FindingWithoutTimeOrReason()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation));

        VerificationReport report = await Verifier(lists, null).VerifyAsync(issuer.Sign(credential), Ct);

        report.StatusFindings.Should().ContainSingle().Which.Should().Be(new StatusFinding("revocation", false, null, null, null));
        report.Verified.Should().BeTrue();
    }

    [Fact]
    public async Task EntryStatusMessage_ForTheValueFound_IsReported()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        JsonObject entry = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        entry["statusMessage"] = new JsonArray(
            new JsonObject { ["status"] = "0x0", ["message"] = "valid" },
            new JsonObject { ["status"] = "0x1", ["message"] = "withdrawn by the registrar" });
        credential["credentialStatus"] = entry;
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));

        VerificationReport report = await Verifier(lists, null).VerifyAsync(issuer.Sign(credential), Ct);

        report.StatusFindings.Should().ContainSingle().Which.StatusMessage.Should().Be("withdrawn by the registrar");
        using JsonDocument json = ReportAssert.ToJson(report);
        json.RootElement.GetProperty("status")[0].GetProperty("message").GetString().Should().Be("withdrawn by the registrar");
    }

    [Fact]
    public async Task StatusUnknown_NoFinding()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);

        VerificationReport report = await Verifier(new InMemoryStatusListSource(), new Records()).VerifyAsync(issuer.Sign(credential), Ct);

        report.StatusFindings.Should().BeEmpty();
        report.Verified.Should().BeFalse();
    }

    private sealed class Records : Dictionary<(string, int), StatusEntryRecord>, IStatusRecordSource
    {
        public ValueTask<StatusEntryRecord?> GetLatestAsync(string statusListCredential, int index, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(TryGetValue((statusListCredential, index), out StatusEntryRecord? record) ? record : null);
    }
}
