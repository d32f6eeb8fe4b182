using System.IO.Compression;
using System.Text.Json;
using BadgeIssuer.Core.StatusList;

namespace BadgeIssuer.Core.Tests.StatusList;

public sealed class BitstringStatusListTests
{
    // SL-5 vectors (shared/spec/vectors/bitstring-status-list/README.md).
    private const string OneEdTechList = "uH4sIAAAAAAAA_-3BMQEAAAzDoMy_6cnoA9QFAAAAAAAAAAAAAAAAAAAAbD3uPa2cAEAAAA";
    private const string W3cExampleList = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";

    [Fact]
    public void Decode_OneEdTechValidatorList_OnlyBit23Set()
    {
        using JsonDocument doc = JsonDocument.Parse(TestFiles.Text("1edtech-validator-fixtures", "bitstring-status-list", "testlist.json"));
        BitstringStatusListCredential credential = BitstringStatusListCredential.Parse(doc.RootElement);
        credential.EncodedList.Should().Be(OneEdTechList);

        BitstringStatusList list = credential.DecodeList();

        list.Bits.Length.Should().Be(16_384);
        list.Length.Should().Be(131_072);
        list.Bits[2].Should().Be(0x01);
        for (int i = 0; i < list.Bits.Length; i++)
        {
            if (i != 2)
            {
                list.Bits[i].Should().Be(0);
            }
        }

        list.IsSet(23).Should().BeTrue();
        list.IsSet(22).Should().BeFalse();
        list.IsSet(24).Should().BeFalse();
    }

    [Fact]
    public void Decode_W3cExample_Is131072ZeroBits()
    {
        using JsonDocument doc = JsonDocument.Parse(TestFiles.Text("bitstring-status-list", "bitstring-status-list-credential.example.json"));
        BitstringStatusListCredential credential = BitstringStatusListCredential.Parse(doc.RootElement);
        credential.EncodedList.Should().Be(W3cExampleList);

        BitstringStatusList list = credential.DecodeList();

        list.Length.Should().Be(131_072);
        list.Bits.Length.Should().Be(16_384);
        list.Bits.ContainsAnyExcept((byte)0).Should().BeFalse();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void EncodeDecode_RoundTrip_PreservesEveryEntry(int statusSize)
    {
        var list = new BitstringStatusList(BitstringStatusList.MinimumEntries, statusSize);
        uint max = (1u << statusSize) - 1;
        long[] indices = [0, 1, 7, 8, 23, 4_095, 65_536, 94_567, 131_071];
        for (int k = 0; k < indices.Length; k++)
        {
            list.SetStatus(indices[k], (uint)(k % max) + 1);
        }

        string encoded = list.Encode();

        encoded.Should().StartWith("u");
        encoded.Should().NotContain("=");
        encoded.Should().NotContain("+");
        encoded.Should().NotContain("/");
        BitstringStatusList decoded = BitstringStatusList.Decode(encoded, statusSize);
        decoded.Bits.ToArray().Should().Equal(list.Bits.ToArray());
        for (int k = 0; k < indices.Length; k++)
        {
            decoded.GetStatus(indices[k]).Should().Be((uint)(k % max) + 1);
        }

        decoded.GetStatus(2).Should().Be(0u);
    }

    [Fact]
    public void Encode_ProducesGzipNotZlib()
    {
        string encoded = new BitstringStatusList().Encode();

        byte[] gzip = Convert.FromBase64String(ToStandardBase64(encoded[1..]));

        gzip[0].Should().Be(0x1f);
        gzip[1].Should().Be(0x8b);
    }

    [Fact]
    public void EncodeToBufferWriter_MatchesStringEncoding()
    {
        var list = new BitstringStatusList();
        list.Set(42, true);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        int written = list.Encode(buffer);

        buffer.WrittenCount.Should().Be(written);
        System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan).Should().Be(list.Encode());
    }

    [Theory]
    [InlineData(0, 0, 0x80)]
    [InlineData(7, 0, 0x01)]
    [InlineData(8, 1, 0x80)]
    [InlineData(23, 2, 0x01)]
    public void Set_StatusSize1_UsesMsbFirstOrder(int index, int expectedByte, int expectedMask)
    {
        var list = new BitstringStatusList();

        list.Set(index, true);

        ((int)list.Bits[expectedByte]).Should().Be(expectedMask);
        (list.Bits.Length - list.Bits.Count((byte)0)).Should().Be(1);
    }

    [Fact]
    public void SetStatus_StatusSize2_EntryStartsAtIndexTimesSize()
    {
        var list = new BitstringStatusList(BitstringStatusList.MinimumEntries, statusSize: 2);

        list.SetStatus(0, 2); // bits 0..1 = 10
        list.SetStatus(1, 3); // bits 2..3 = 11
        list.SetStatus(4, 1); // bits 8..9 = 01

        list.Bits[0].Should().Be(0b1011_0000);
        list.Bits[1].Should().Be(0b0100_0000);
        list.GetStatus(0).Should().Be(2u);
        list.GetStatus(1).Should().Be(3u);
        list.GetStatus(4).Should().Be(1u);
        FluentActions.Invoking(() => list.SetStatus(2, 4)).Should().ThrowExactly<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Set_ClearsBitAgain()
    {
        var list = new BitstringStatusList();
        list.Set(9, true);

        list.Set(9, false);

        list.Bits.ContainsAnyExcept((byte)0).Should().BeFalse();
    }

    [Fact]
    public void Decode_TooShortList_ReportsStatusListLengthError()
    {
        string encoded = EncodeRaw(Gzip(new byte[16_383]));

        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(encoded)).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.StatusListLengthError);
        ex.ErrorCode.ToSpecString().Should().Be("STATUS_LIST_LENGTH_ERROR");
    }

    [Fact]
    public void Decode_MinimumBitsWithStatusSize2_ReportsStatusListLengthError()
    {
        // 131,072 bits / 2 = 65,536 entries < 131,072 (SL-4).
        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(W3cExampleList, statusSize: 2)).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.StatusListLengthError);
    }

    [Theory]
    [InlineData("")]
    [InlineData("H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")]
    [InlineData("zH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")]
    [InlineData("UH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")]
    public void Decode_MissingOrWrongMultibasePrefix_ReportsMalformedValue(string encoded)
    {
        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(encoded)).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
    }

    [Theory]
    [InlineData("uH4sIAAAAAAAAA+3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")] // standard alphabet
    [InlineData("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA==")] // padding
    [InlineData("uH4sIAAAAAAAAA-3BMQEAAADC oPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")] // whitespace
    [InlineData("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAA")] // truncated stream
    public void Decode_InvalidBase64UrlOrStream_ReportsMalformedValue(string encoded)
    {
        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(encoded)).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
    }

    [Fact]
    public void Decode_ZlibInsteadOfGzip_ReportsMalformedValue()
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(new byte[16_384]);
        }

        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(EncodeRaw(output.ToArray()))).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
        ex.Message.Should().Contain("zlib");
    }

    [Fact]
    public void Decode_RawDeflateInsteadOfGzip_ReportsMalformedValue()
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal))
        {
            deflate.Write(new byte[16_384]);
        }

        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(EncodeRaw(output.ToArray()))).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
    }

    [Fact]
    public void Decode_GzipBomb_StopsAtCap()
    {
        // 64 MiB of zeros compress to ~64 KiB; decoding must stop at 16 MiB.
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < 64; i++)
            {
                gzip.Write(block);
            }
        }

        var ex = FluentActions.Invoking(() => BitstringStatusList.Decode(EncodeRaw(output.ToArray()))).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.MalformedValueError);
        ex.Message.Should().Contain("16777216");
    }

    [Fact]
    public void Decode_ExactlyAtCap_Succeeds()
    {
        BitstringStatusList list = BitstringStatusList.Decode(EncodeRaw(Gzip(new byte[BitstringStatusList.MaxBitstringBytes])));

        list.Length.Should().Be(BitstringStatusList.MaxBitstringBytes * 8);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(131_072)]
    [InlineData(long.MaxValue)]
    public void GetStatus_IndexOutsideList_ReportsRangeError(long index)
    {
        var list = new BitstringStatusList();

        var ex = FluentActions.Invoking(() => list.GetStatus(index)).Should().ThrowExactly<StatusListException>().Which;

        ex.ErrorCode.Should().Be(StatusListErrorCode.RangeError);
    }

    [Fact]
    public void Constructor_FewerThanMinimumEntries_Throws()
    {
        FluentActions.Invoking(() => new BitstringStatusList(131_071)).Should().ThrowExactly<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new BitstringStatusList(statusSize: 0)).Should().ThrowExactly<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void TryDecode_BadInput_ReturnsErrorCode()
    {
        BitstringStatusList.TryDecode("x", 1, out BitstringStatusList? list, out StatusListErrorCode error).Should().BeFalse();
        list.Should().BeNull();
        error.Should().Be(StatusListErrorCode.MalformedValueError);
        BitstringStatusList.TryDecode(W3cExampleList, 1, out list, out _).Should().BeTrue();
        list.Should().NotBeNull();
    }

    [Fact]
    public void FromBits_CopiesAndValidatesLength()
    {
        byte[] bits = new byte[16_384];
        bits[0] = 0x80;

        BitstringStatusList list = BitstringStatusList.FromBits(bits);
        bits[0] = 0;

        list.IsSet(0).Should().BeTrue();
        FluentActions.Invoking(() => BitstringStatusList.FromBits(new byte[100])).Should().ThrowExactly<StatusListException>().Which.ErrorCode.Should().Be(StatusListErrorCode.StatusListLengthError);
    }

    [Fact]
    public void ErrorCode_ProblemType_UsesSpecFragment()
    {
        StatusListErrorCode.RangeError.ToProblemType().Should().Be("https://www.w3.org/ns/credentials/status-list#RANGE_ERROR");
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    private static string EncodeRaw(byte[] compressed) => "u" + System.Buffers.Text.Base64Url.EncodeToString(compressed);

    private static string ToStandardBase64(string base64Url)
    {
        string s = base64Url.Replace('-', '+').Replace('_', '/');
        return s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
    }
}
