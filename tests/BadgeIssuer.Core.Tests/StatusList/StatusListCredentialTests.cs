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

        Assert.Equal("https://www.w3.org/ns/credentials/v2", root.GetProperty("@context")[0].GetString());
        Assert.Equal("https://issuer.example/status/1", root.GetProperty("id").GetString());
        Assert.Equal(["VerifiableCredential", "BitstringStatusListCredential"], root.GetProperty("type").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("did:example:issuer", root.GetProperty("issuer").GetString());
        Assert.Equal("2025-01-02T01:04:05Z", root.GetProperty("validFrom").GetString());
        Assert.Equal("2025-02-01T01:04:05Z", root.GetProperty("validUntil").GetString());
        JsonElement subject = root.GetProperty("credentialSubject");
        Assert.Equal("https://issuer.example/status/1#list", subject.GetProperty("id").GetString());
        Assert.Equal("BitstringStatusList", subject.GetProperty("type").GetString());
        Assert.Equal("revocation", subject.GetProperty("statusPurpose").GetString());
        Assert.False(subject.TryGetProperty("statusSize", out _));
        Assert.True(BitstringStatusList.Decode(subject.GetProperty("encodedList").GetString()!).IsSet(7));
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

        Assert.Equal(2, subject.GetProperty("statusSize").GetInt32());
        Assert.Equal(300_000, subject.GetProperty("ttl").GetInt64());
        Assert.Equal("0x1", subject.GetProperty("statusMessage")[1].GetProperty("status").GetString());
        Assert.False(doc.RootElement.TryGetProperty("validUntil", out _));
        BitstringStatusListCredential parsed = BitstringStatusListCredential.Parse(doc.RootElement);
        Assert.Equal(2, parsed.StatusSize);
        Assert.Equal(2, parsed.DecodeList().StatusSize);
        Assert.Equal(2, parsed.StatusMessage!.Count);
    }

    [Fact]
    public void Entry_WriteTo_WritesIndexAsString()
    {
        var entry = new BitstringStatusListEntry(StatusPurpose.Suspension, 94_567, "https://example.com/credentials/status/3")
        {
            Id = "https://example.com/credentials/status/3#94567",
        };
        Assert.Equal(entry.Id, entry.DefaultId);

        JsonElement json = Write(entry.WriteTo);

        Assert.Equal(JsonValueKind.String, json.GetProperty("statusListIndex").ValueKind);
        Assert.Equal("94567", json.GetProperty("statusListIndex").GetString());
        Assert.Equal("BitstringStatusListEntry", json.GetProperty("type").GetString());
        Assert.Equal("suspension", json.GetProperty("statusPurpose").GetString());
        Assert.False(json.TryGetProperty("statusSize", out _));
    }

    [Fact]
    public void ParseCredentialStatus_W3cExampleArray_ReadsBothEntries()
    {
        using JsonDocument doc = JsonDocument.Parse(TestFiles.Text("bitstring-status-list", "credential-with-revocation-and-suspension-entries.example.json"));

        IReadOnlyList<BitstringStatusListEntry> entries = BitstringStatusListEntry.ParseCredentialStatus(doc.RootElement.GetProperty("credentialStatus"));

        Assert.Equal(2, entries.Count);
        Assert.Equal(("revocation", 94_567L), (entries[0].StatusPurpose, entries[0].StatusListIndex));
        Assert.Equal(("suspension", 23_452L), (entries[1].StatusPurpose, entries[1].StatusListIndex));
        Assert.True(entries[1].TryGetPurpose(out StatusPurpose purpose));
        Assert.Equal(StatusPurpose.Suspension, purpose);
    }

    [Fact]
    public void GetStatus_OneEdTechRevokedCredential_NumericIndex23IsRevoked()
    {
        using JsonDocument credentialDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "credential-status-revoked.json"));
        using JsonDocument listDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));

        BitstringStatusListEntry entry = Assert.Single(BitstringStatusListEntry.ParseCredentialStatus(credentialDoc.RootElement.GetProperty("credentialStatus")));
        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(listDoc.RootElement);

        Assert.Equal(23, entry.StatusListIndex);
        Assert.Equal(1u, list.GetStatus(entry));
        Assert.Equal(0u, list.GetStatus(new BitstringStatusListEntry("revocation", 22, entry.StatusListCredential)));
    }

    [Fact]
    public void GetStatus_PurposeNotInList_ReportsStatusVerificationError()
    {
        using JsonDocument listDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));
        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(listDoc.RootElement);

        var ex = Assert.Throws<StatusListException>(() => list.GetStatus(new BitstringStatusListEntry(StatusPurpose.Suspension, 23, list.Id)));

        Assert.Equal(StatusListErrorCode.StatusVerificationError, ex.ErrorCode);
    }

    [Fact]
    public void GetStatus_IndexBeyondList_ReportsRangeError()
    {
        using JsonDocument listDoc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));
        BitstringStatusListCredential list = BitstringStatusListCredential.Parse(listDoc.RootElement);

        var ex = Assert.Throws<StatusListException>(() => list.GetStatus(new BitstringStatusListEntry(StatusPurpose.Revocation, 131_072, list.Id)));

        Assert.Equal(StatusListErrorCode.RangeError, ex.ErrorCode);
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
        BitstringStatusListEntry entry = Assert.Single(BitstringStatusListEntry.ParseCredentialStatus(statusDoc.RootElement));

        Assert.True(list.IsLegacy);
        Assert.True(entry.IsLegacy);
        Assert.Equal("did:example:12345", list.Issuer);
        Assert.Equal(new DateTimeOffset(2021, 4, 5, 14, 27, 40, TimeSpan.Zero), list.ValidFrom);
        Assert.Equal(1u, list.GetStatus(entry));
        Assert.Throws<NotSupportedException>(() => list.ToUtf8Json());
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

        var ex = Assert.Throws<StatusListException>(() => BitstringStatusListEntry.Parse(doc.RootElement));

        Assert.Equal(StatusListErrorCode.MalformedValueError, ex.ErrorCode);
    }

    [Fact]
    public void Entry_Parse_IdEqualToListUrl_ReportsMalformedValue()
    {
        using JsonDocument doc = JsonDocument.Parse("""
            { "id": "https://example.com/status/1", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
              "statusListIndex": "1", "statusListCredential": "https://example.com/status/1" }
            """);

        Assert.Equal(StatusListErrorCode.MalformedValueError,
            Assert.Throws<StatusListException>(() => BitstringStatusListEntry.Parse(doc.RootElement)).ErrorCode);
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

        Assert.Equal(2, parsed.StatusSize);
        Assert.Equal(entry.StatusMessage, parsed.StatusMessage);
        Assert.Equal(entry.StatusReference, parsed.StatusReference);
        Assert.Null(parsed.Id);
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
