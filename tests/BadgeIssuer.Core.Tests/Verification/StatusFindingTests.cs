using System.Text.Json;
using System.Text.Json.Nodes;
using BadgeIssuer.Core.StatusList;
using BadgeIssuer.Core.Verification;

namespace BadgeIssuer.Core.Tests.Verification;

/// <summary>Status findings: one per entry read, the list's statusMessage, and the host's own change records.</summary>
public sealed class StatusFindingTests
{
    private const string ListUrl = "https://issuer.example/status-lists/1";
    private static readonly DateTimeOffset ChangedAt = new(2026, 10, 8, 9, 10, 11, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CredentialVerifier Verifier(IStatusListCredentialSource lists, IStatusRecordSource? records) => new(new CredentialVerifierOptions
    {
        TimeProvider = new FixedTimeProvider(TestIssuer.Now),
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
        var records = new Records { [(ListUrl, 42)] = new StatusEntryRecord(ChangedAt, 1, "issued in error", (string)credential["id"]!) };

        VerificationReport report = await Verifier(lists, records).VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Equal(new StatusFinding("revocation", true, null, ChangedAt, "issued in error"), Assert.Single(report.StatusFindings));
        Assert.Contains("changed 2026-10-08T09:10:11Z; reason: issued in error", ReportAssert.Single(report, CheckNames.Status).Message, StringComparison.Ordinal);
        using JsonDocument json = ReportAssert.ToJson(report);
        JsonElement status = Assert.Single(json.RootElement.GetProperty("status").EnumerateArray().ToList());
        Assert.Equal("revocation", status.GetProperty("purpose").GetString());
        Assert.True(status.GetProperty("set").GetBoolean());
        Assert.Equal("2026-10-08T09:10:11Z", status.GetProperty("changedAt").GetString());
        Assert.Equal("issued in error", status.GetProperty("reason").GetString());
        Assert.False(status.TryGetProperty("message", out _));
    }

    [Fact]
    public async Task Record_DisagreeingWithTheVerifiedList_IsNotReported()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "suspension", 5);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Suspension, 5));
        var records = new Records { [(ListUrl, 5)] = new StatusEntryRecord(ChangedAt, 0, "reinstated", (string)credential["id"]!) };

        VerificationReport report = await Verifier(lists, records).VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Equal(new StatusFinding("suspension", true, null, null, null), Assert.Single(report.StatusFindings));
    }

    [Fact]
    public async Task Record_OfAnotherCredential_IsNotReported()
    {
        // Anyone may sign a credential naming any list and index: the record belongs to the credential it was made for.
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));
        var records = new Records { [(ListUrl, 42)] = new StatusEntryRecord(ChangedAt, 1, "plagiarism", "urn:uuid:someone-else") };

        VerificationReport report = await Verifier(lists, records).VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Equal(new StatusFinding("revocation", true, null, null, null), Assert.Single(report.StatusFindings));
        Assert.DoesNotContain("plagiarism", ReportAssert.Single(report, CheckNames.Status).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_ForACredentialWhoseProofFails_IsNotReported()
    {
        // A document with the right id but no valid proof (here: changed after signing) reads no record.
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation, 42));
        var records = new Records { [(ListUrl, 42)] = new StatusEntryRecord(ChangedAt, 1, "plagiarism", (string)credential["id"]!) };
        JsonObject tampered = JsonNode.Parse(issuer.Sign(credential))!.AsObject();
        tampered["name"] = "Something else";

        VerificationReport report = await Verifier(lists, records).VerifyAsync(System.Text.Encoding.UTF8.GetBytes(tampered.ToJsonString()), Ct);

        Assert.False(report.Verified);
        Assert.All(report.StatusFindings, f => Assert.Null(f.Reason));
        Assert.DoesNotContain(report.Checks, c => c.Message.Contains("plagiarism", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForeignList_NoRecordSource_FindingWithoutTimeOrReason()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);
        var lists = new InMemoryStatusListSource().Add(ListUrl, issuer.StatusList(ListUrl, StatusPurpose.Revocation));

        VerificationReport report = await Verifier(lists, null).VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Equal(new StatusFinding("revocation", false, null, null, null), Assert.Single(report.StatusFindings));
        Assert.True(report.Verified);
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

        Assert.Equal("withdrawn by the registrar", Assert.Single(report.StatusFindings).StatusMessage);
        using JsonDocument json = ReportAssert.ToJson(report);
        Assert.Equal("withdrawn by the registrar", json.RootElement.GetProperty("status")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task StatusUnknown_NoFinding()
    {
        using TestIssuer issuer = TestIssuer.Create();
        JsonObject credential = TestDocuments.Credential(issuer.Id);
        credential["credentialStatus"] = TestDocuments.BitstringEntry(ListUrl, "revocation", 42);

        VerificationReport report = await Verifier(new InMemoryStatusListSource(), new Records()).VerifyAsync(issuer.Sign(credential), Ct);

        Assert.Empty(report.StatusFindings);
        Assert.False(report.Verified);
    }

    private sealed class Records : Dictionary<(string, int), StatusEntryRecord>, IStatusRecordSource
    {
        public ValueTask<StatusEntryRecord?> GetLatestAsync(string statusListCredential, int index, CancellationToken cancellationToken = default)
            => ValueTask.FromResult(TryGetValue((statusListCredential, index), out StatusEntryRecord? record) ? record : null);
    }
}
