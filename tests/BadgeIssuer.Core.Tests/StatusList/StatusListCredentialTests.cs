using System.Buffers;
using System.Text.Json;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Tests.StatusList;

public sealed class StatusListCredentialTests
{
    private static readonly DateTimeOffset s_validFrom = new(2025, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));

    [Fact]
    public void Create_WritesUnsignedBitstringStatusListCredential()
    {
        var list = new BitstringStatusList();
        list.Set(7, true);
        BitstringStatusListCredential credential = BitstringStatusListCredential.Create(
            "https://issuer.example/status/1", "did:example:issuer", StatusPurpose.Revocation, list, s_validFrom, s_validFrom.AddDays(30));

        using JsonDocument doc = JsonDocument.Parse(credential.ToUtf8Json());
        JsonElement root = doc.RootElement;

        root.GetProperty("@context")[0].GetString().Should().Be("https://www.w3.org/ns/credentials/v2");
        root.GetProperty("id").GetString().Should().Be("https://issuer.example/status/1");
        root.GetProperty("type").EnumerateArray().Select(e => e.GetString()).Should().Equal(["VerifiableCredential", "BitstringStatusListCredential"]);
        root.GetProperty("issuer").GetString().Should().Be("did:example:issuer");
        root.GetProperty("validFrom").GetString().Should().Be("2025-01-02T01:04:05Z");
        root.GetProperty("validUntil").GetString().Should().Be("2025-02-01T01:04:05Z");
        JsonElement subject = root.GetProperty("credentialSubject");
        subject.GetProperty("id").GetString().Should().Be("https://issuer.example/status/1#list");
        subject.GetProperty("type").GetString().Should().Be("BitstringStatusList");
        subject.GetProperty("statusPurpose").GetString().Should().Be("revocation");
        subject.TryGetProperty("statusSize", out _).Should().BeFalse();
        BitstringStatusList.Decode(subject.GetProperty("encodedList").GetString()!).IsSet(7).Should().BeTrue();
    }

    [Fact]
    public void Create_StatusSize2_WritesStatusSizeAndMessages()
    {
        var list = new BitstringStatusList(BitstringStatusList.MinimumEntries, 2);
        BitstringStatusListCredential credential = BitstringStatusListCredential.Create(
            "https://issuer.example/status/2", "did:example:issuer", StatusPurpose.Message, list, s_validFrom);
        credential = new BitstringStatusListCredential(credential.Id, credential.Issuer, credential.StatusPurpose, credential.EncodedList)
        {
            ValidFrom = credential.ValidFrom,
            StatusSize = 2,
            Ttl = 300_000,
            StatusMessage = [new StatusMessage("0x0", "pending"), new StatusMessage("0x1", "accepted")],
        };

        using JsonDocument doc = JsonDocument.Parse(credential.ToUtf8Json());
        JsonElement subject = doc.RootElement.GetProperty("credentialSubject");

        subject.GetProperty("statusSize").GetInt32().Should().Be(2);
        subject.GetProperty("ttl").GetInt64().Should().Be(300_000);
        subject.GetProperty("statusMessage")[1].GetProperty("status").GetString().Should().Be("0x1");
        doc.RootElement.TryGetProperty("validUntil", out _).Should().BeFalse();
        BitstringStatusListCredential parsed = BitstringStatusListCredential.Parse(doc.RootElement);
        parsed.StatusSize.Should().Be(2);
        parsed.DecodeList().StatusSize.Should().Be(2);
        parsed.StatusMessage!.Count.Should().Be(2);
    }

    [Fact]
    public void Entry_WriteTo_WritesIndexAsString()
    {
        var entry = new BitstringStatusListEntry(StatusPurpose.Suspension, 94_567, "https://example.com/credentials/status/3")
        {
            Id = "https://example.com/credentials/status/3#94567",
        };
        entry.DefaultId.Should().Be(entry.Id);

        JsonElement json = Write(entry.WriteTo);

        json.GetProperty("statusListIndex").ValueKind.Should().Be(JsonValueKind.String);
        json.GetProperty("statusListIndex").GetString().Should().Be("94567");
        json.GetProperty("type").GetString().Should().Be("BitstringStatusListEntry");
        json.GetProperty("statusPurpose").GetString().Should().Be("suspension");
        json.TryGetProperty("statusSize", out _).Should().BeFalse();
    }

    [Fact]
    public void ParseCredentialStatus_W3cExampleArray_ReadsBothEntries()
    {
        using JsonDocument doc = JsonDocument.Parse(TestFiles.Text("bitstring-status-list", "credential-with-revocation-and-suspension-entries.example.json"));

        IReadOnlyList<BitstringStatusListEntry> entries = BitstringStatusListEntry.ParseCredentialStatus(doc.RootElement.GetProperty("credentialStatus"));

        entries.Count.Should().Be(2);
        ((entries[0].StatusPurpose, entries[0].StatusListIndex)).Should().Be(("revocation", 94_567L));
        ((entries[1].StatusPurpose, entries[1].StatusListIndex)).Should().Be(("suspension", 23_452L));
        entries[1].TryGetPurpose(out StatusPurpose purpose).Should().BeTrue();
        purpose.Should().Be(StatusPurpose.Suspension);
    }

    [Fact]
    public void GetStatus_OneEdTechRevokedCredential_NumericIndex23IsRevoked()
    {
        using JsonDocument credentialDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "credential-status-revoked.json"));
        using JsonDocument listDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));

        BitstringStatusListEntry entry = BitstringStatusListEntry.ParseCredentialStatus(credentialDoc.RootElement.GetProperty("credentialStatus")).Should().ContainSingle().Which;
        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(listDoc.RootElement);

        entry.StatusListIndex.Should().Be(23);
        list.GetStatus(entry).Should().Be(1u);
        list.GetStatus(new BitstringStatusListEntry("revocation", 22, entry.StatusListCredential)).Should().Be(0u);
    }

    [Fact]
    public void GetStatus_PurposeNotInList_ReportsStatusVerificationError()
    {
        using JsonDocument listDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));
        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(listDoc.RootElement);

        var ex = FluentActions.Invoking(() => list.GetStatus(new BitstringStatusListEntry(StatusPurpose.Suspension, 23, list.Id))).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.StatusVerificationError);
    }

    [Fact]
    public void GetStatus_IndexBeyondList_ReportsRangeError()
    {
        using JsonDocument listDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));
        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(listDoc.RootElement);

        var ex = FluentActions.Invoking(() => list.GetStatus(new BitstringStatusListEntry(StatusPurpose.Revocation, 131_072, list.Id))).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.RangeError);
    }

    [Fact]
    public void Parse_LegacyStatusList2021_ReadsSameBitLayout()
    {
        const string Credential = """
            {
              "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/vc/status-list/2021/v1"],
              "id": "https://example.com/credentials/status/3",
              "type": ["VerifiableCredential", "StatusList2021Credential"],
              "issuer": { "id": "did:example:12345" },
              "issuanceDate": "2021-04-05T14:27:40Z",
              "credentialSubject": {
                "id": "https://example.com/status/3#list",
                "type": "StatusList2021",
                "statusPurpose": "revocation",
                "encodedList": "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAA"
              }
            }
            """;
        const string Status = """
            [
              { "id": "https://example.com/revocations/1", "type": "1EdTechRevocationList" },
              { "id": "https://example.com/credentials/status/3#23", "type": "StatusList2021Entry", "statusPurpose": "revocation",
                "statusListIndex": "23", "statusListCredential": "https://example.com/credentials/status/3" }
            ]
            """;
        using JsonDocument credentialDoc = JsonDocument.Parse(Credential);
        using JsonDocument statusDoc = JsonDocument.Parse(Status);

        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(credentialDoc.RootElement);
        BitstringStatusListEntry entry = BitstringStatusListEntry.ParseCredentialStatus(statusDoc.RootElement).Should().ContainSingle().Which;

        list.IsLegacy.Should().BeTrue();
        entry.IsLegacy.Should().BeTrue();
        list.Issuer.Should().Be("did:example:12345");
        list.ValidFrom.Should().Be(new DateTimeOffset(2021, 4, 5, 14, 27, 40, TimeSpan.Zero));
        list.GetStatus(entry).Should().Be(1u);
        FluentActions.Invoking(() => list.ToUtf8Json()).Should().ThrowExactly<NotSupportedException>();
    }

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("\"+5\"")]
    [InlineData("\"1e3\"")]
    [InlineData("\" 5\"")]
    [InlineData("\"\"")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("true")]
    public void Entry_Parse_BadIndex_ReportsMalformedValue(string index)
    {
        using JsonDocument doc = JsonDocument.Parse($$"""
            { "type": "BitstringStatusListEntry", "statusPurpose": "revocation", "statusListIndex": {{index}},
              "statusListCredential": "https://example.com/status/1" }
            """);

        var ex = FluentActions.Invoking(() => BitstringStatusListEntry.Parse(doc.RootElement)).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
    }

    [Fact]
    public void Entry_Parse_IdEqualToListUrl_ReportsMalformedValue()
    {
        using JsonDocument doc = JsonDocument.Parse("""
            { "id": "https://example.com/status/1", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
              "statusListIndex": "1", "statusListCredential": "https://example.com/status/1" }
            """);

        FluentActions.Invoking(() => BitstringStatusListEntry.Parse(doc.RootElement)).Should().ThrowExactly<StatusListException>().Which.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
    }

    [Fact]
    public void Entry_WriteParse_RoundTripsOptionalFields()
    {
        var entry = new BitstringStatusListEntry(StatusPurpose.Message, 5, "https://example.com/status/9")
        {
            StatusSize = 2,
            StatusMessage = [new StatusMessage("0x0", "ok"), new StatusMessage("0x2", "held")],
            StatusReference = ["https://example.com/status-codes"],
        };

        JsonElement json = Write(entry.WriteTo);
        BitstringStatusListEntry parsed = BitstringStatusListEntry.Parse(json);

        parsed.StatusSize.Should().Be(2);
        parsed.StatusMessage.Should().Equal(entry.StatusMessage);
        parsed.StatusReference.Should().Equal(entry.StatusReference);
        parsed.Id.Should().BeNull();
    }

    private static JsonElement Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        using JsonDocument doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
