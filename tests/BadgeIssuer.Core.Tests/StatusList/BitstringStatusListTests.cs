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
        Assert.Equal(OneEdTechList, credential.EncodedList);

        BitstringStatusList list = credential.DecodeList();

        Assert.Equal(16_384, list.Bits.Length);
        Assert.Equal(131_072, list.Length);
        Assert.Equal(0x01, list.Bits[2]);
        for (int i = 0; i < list.Bits.Length; i++)
        {
            if (i != 2)
            {
                Assert.Equal(0, list.Bits[i]);
            }
        }

        Assert.True(list.IsSet(23));
        Assert.False(list.IsSet(22));
        Assert.False(list.IsSet(24));
    }

    [Fact]
    public void Decode_W3cExample_Is131072ZeroBits()
    {
        using JsonDocument doc = JsonDocument.Parse(TestFiles.Text("bitstring-status-list", "bitstring-status-list-credential.example.json"));
        BitstringStatusListCredential credential = BitstringStatusListCredential.Parse(doc.RootElement);
        Assert.Equal(W3cExampleList, credential.EncodedList);

        BitstringStatusList list = credential.DecodeList();

        Assert.Equal(131_072, list.Length);
        Assert.Equal(16_384, list.Bits.Length);
        Assert.False(list.Bits.ContainsAnyExcept((byte)0));
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

        Assert.StartsWith("u", encoded, StringComparison.Ordinal);
        Assert.DoesNotContain('=', encoded);
        Assert.DoesNotContain('+', encoded);
        Assert.DoesNotContain('/', encoded);
        BitstringStatusList decoded = BitstringStatusList.Decode(encoded, statusSize);
        Assert.Equal(list.Bits.ToArray(), decoded.Bits.ToArray());
        for (int k = 0; k < indices.Length; k++)
        {
            Assert.Equal((uint)(k % max) + 1, decoded.GetStatus(indices[k]));
        }

        Assert.Equal(0u, decoded.GetStatus(2));
    }

    [Fact]
    public void Encode_ProducesGzipNotZlib()
    {
        string encoded = new BitstringStatusList().Encode();

        byte[] gzip = Convert.FromBase64String(ToStandardBase64(encoded[1..]));

        Assert.Equal(0x1f, gzip[0]);
        Assert.Equal(0x8b, gzip[1]);
    }

    [Fact]
    public void EncodeToBufferWriter_MatchesStringEncoding()
    {
        var list = new BitstringStatusList();
        list.Set(42, true);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        int written = list.Encode(buffer);

        Assert.Equal(written, buffer.WrittenCount);
        Assert.Equal(list.Encode(), System.Text.Encoding.ASCII.GetString(buffer.WrittenSpan));
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

        Assert.Equal(expectedMask, list.Bits[expectedByte]);
        Assert.Equal(1, list.Bits.Length - list.Bits.Count((byte)0));
    }

    [Fact]
    public void SetStatus_StatusSize2_EntryStartsAtIndexTimesSize()
    {
        var list = new BitstringStatusList(BitstringStatusList.MinimumEntries, statusSize: 2);

        list.SetStatus(0, 2); // bits 0..1 = 10
        list.SetStatus(1, 3); // bits 2..3 = 11
        list.SetStatus(4, 1); // bits 8..9 = 01

        Assert.Equal(0b1011_0000, list.Bits[0]);
        Assert.Equal(0b0100_0000, list.Bits[1]);
        Assert.Equal(2u, list.GetStatus(0));
        Assert.Equal(3u, list.GetStatus(1));
        Assert.Equal(1u, list.GetStatus(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => list.SetStatus(2, 4));
    }

    [Fact]
    public void Set_ClearsBitAgain()
    {
        var list = new BitstringStatusList();
        list.Set(9, true);

        list.Set(9, false);

        Assert.False(list.Bits.ContainsAnyExcept((byte)0));
    }

    [Fact]
    public void Decode_TooShortList_ReportsStatusListLengthError()
    {
        string encoded = EncodeRaw(Gzip(new byte[16_383]));

        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(encoded));

        Assert.Equal(StatusListErrorCode.StatusListLengthError, ex.ErrorCode);
        Assert.Equal("STATUS_LIST_LENGTH_ERROR", ex.ErrorCode.ToSpecString());
    }

    [Fact]
    public void Decode_MinimumBitsWithStatusSize2_ReportsStatusListLengthError()
    {
        // 131,072 bits / 2 = 65,536 entries < 131,072 (SL-4).
        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(W3cExampleList, statusSize: 2));

        Assert.Equal(StatusListErrorCode.StatusListLengthError, ex.ErrorCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")]
    [InlineData("zH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")]
    [InlineData("UH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")]
    public void Decode_MissingOrWrongMultibasePrefix_ReportsMalformedValue(string encoded)
    {
        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(encoded));

        Assert.Equal(StatusListErrorCode.MalformedValueError, ex.ErrorCode);
    }

    [Theory]
    [InlineData("uH4sIAAAAAAAAA+3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")] // standard alphabet
    [InlineData("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA==")] // padding
    [InlineData("uH4sIAAAAAAAAA-3BMQEAAADC oPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")] // whitespace
    [InlineData("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAA")] // truncated stream
    public void Decode_InvalidBase64UrlOrStream_ReportsMalformedValue(string encoded)
    {
        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(encoded));

        Assert.Equal(StatusListErrorCode.MalformedValueError, ex.ErrorCode);
    }

    [Fact]
    public void Decode_ZlibInsteadOfGzip_ReportsMalformedValue()
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(new byte[16_384]);
        }

        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(EncodeRaw(output.ToArray())));

        Assert.Equal(StatusListErrorCode.MalformedValueError, ex.ErrorCode);
        Assert.Contains("zlib", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_RawDeflateInsteadOfGzip_ReportsMalformedValue()
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal))
        {
            deflate.Write(new byte[16_384]);
        }

        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(EncodeRaw(output.ToArray())));

        Assert.Equal(StatusListErrorCode.MalformedValueError, ex.ErrorCode);
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

        var ex = Assert.Throws<StatusListException>(() => BitstringStatusList.Decode(EncodeRaw(output.ToArray())));

        Assert.Equal(StatusListErrorCode.MalformedValueError, ex.ErrorCode);
        Assert.Contains("16777216", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ExactlyAtCap_Succeeds()
    {
        BitstringStatusList list = BitstringStatusList.Decode(EncodeRaw(Gzip(new byte[BitstringStatusList.MaxBitstringBytes])));

        Assert.Equal(BitstringStatusList.MaxBitstringBytes * 8, list.Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(131_072)]
    [InlineData(long.MaxValue)]
    public void GetStatus_IndexOutsideList_ReportsRangeError(long index)
    {
        var list = new BitstringStatusList();

        var ex = Assert.Throws<StatusListException>(() => list.GetStatus(index));

        Assert.Equal(StatusListErrorCode.RangeError, ex.ErrorCode);
    }

    [Fact]
    public void Constructor_FewerThanMinimumEntries_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BitstringStatusList(131_071));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BitstringStatusList(statusSize: 0));
    }

    [Fact]
    public void TryDecode_BadInput_ReturnsErrorCode()
    {
        Assert.False(BitstringStatusList.TryDecode("x", 1, out BitstringStatusList? list, out StatusListErrorCode error));
        Assert.Null(list);
        Assert.Equal(StatusListErrorCode.MalformedValueError, error);
        Assert.True(BitstringStatusList.TryDecode(W3cExampleList, 1, out list, out _));
        Assert.NotNull(list);
    }

    [Fact]
    public void FromBits_CopiesAndValidatesLength()
    {
        byte[] bits = new byte[16_384];
        bits[0] = 0x80;

        BitstringStatusList list = BitstringStatusList.FromBits(bits);
        bits[0] = 0;

        Assert.True(list.IsSet(0));
        Assert.Equal(StatusListErrorCode.StatusListLengthError,
            Assert.Throws<StatusListException>(() => BitstringStatusList.FromBits(new byte[100])).ErrorCode);
    }

    [Fact]
    public void ErrorCode_ProblemType_UsesSpecFragment()
    {
        Assert.Equal("https://www.w3.org/ns/credentials/status-list#RANGE_ERROR", StatusListErrorCode.RangeError.ToProblemType());
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
