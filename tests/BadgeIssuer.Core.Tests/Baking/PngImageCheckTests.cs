using System.Buffers.Binary;
using BadgeIssuer.Core.Baking;
using static BadgeIssuer.Core.Tests.Baking.PngTestImages;

namespace BadgeIssuer.Core.Tests.Baking;

/// <summary><see cref="BakedBadge.CheckPngImage"/>: the bounds on a PNG the service stores and serves as a badge image.</summary>
public sealed class PngImageCheckTests
{
    private static byte[] Header(uint width, uint height, byte depth, byte colourType, byte interlace = 0)
    {
        byte[] data = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(data, width);
        BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(4), height);
        data[8] = depth;
        data[9] = colourType;
        data[12] = interlace;
        return Chunk("IHDR", data);
    }

    private static BakingErrorReason Refused(byte[] png) =>
        FluentActions.Invoking(() => BakedBadge.CheckPngImage(png)).Should().ThrowExactly<BakingException>().Which.Reason;

    [Fact]
    public void WellFormedImages_Pass()
    {
        BakedBadge.CheckPngImage(Minimal());
        BakedBadge.CheckPngImage(BadgePngRenderer.Render(new BadgeSvgContent("Intro to Welding", "BadgeIssuer College", "Certificate")));

        // A baked download is still an acceptable image (iTXt, uncompressed).
        BakedBadge.CheckPngImage(BakedBadge.Bake(Minimal(), "{\"a\":1}", BadgeImageFormat.Png));

        // 16-bit RGBA 3x2: 2 rows of 1 + 3*8 bytes; 1-bit grey 9x1: 1 + 2 bytes.
        BakedBadge.CheckPngImage(Build([Header(3, 2, 16, 6), Chunk("IDAT", Zlib(new byte[2 * 25])), Chunk("IEND", [])]));
        BakedBadge.CheckPngImage(Build([Header(9, 1, 1, 0), Chunk("IDAT", Zlib(new byte[3])), Chunk("IEND", [])]));

        // IDAT split over several consecutive chunks.
        byte[] data = Zlib(new byte[2 * 25]);
        BakedBadge.CheckPngImage(Build([Header(3, 2, 16, 6), Chunk("IDAT", data[..5]), Chunk("IDAT", data[5..]), Chunk("IEND", [])]));
    }

    [Fact]
    public void Adam7_ExpectsTheSumOfThePasses()
    {
        // 3x3 8-bit grey, interlaced: passes 1, 4, 5, 6, 7 hold 2 + 2 + 3 + 4 + 4 = 15 bytes.
        BakedBadge.CheckPngImage(Build([Header(3, 3, 8, 0, interlace: 1), Chunk("IDAT", Zlib(new byte[15])), Chunk("IEND", [])]));
        Refused(Build([Header(3, 3, 8, 0, interlace: 1), Chunk("IDAT", Zlib(new byte[16])), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
        Refused(Build([Header(3, 3, 8, 0), Chunk("IDAT", Zlib(new byte[15])), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
    }

    [Fact]
    public void IdatBomb_StopsAtTheDeclaredSize()
    {
        // 1x1 grey declares 2 bytes; the stream holds 64 MiB of zeros (about 64 KiB compressed).
        byte[] bomb = Build([Ihdr(), Chunk("IDAT", Zlib(new byte[64 * 1024 * 1024])), Chunk("IEND", [])]);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        BakingException e = FluentActions.Invoking(() => BakedBadge.CheckPngImage(bomb)).Should().ThrowExactly<BakingException>().Which;
        e.Reason.Should().Be(BakingErrorReason.InvalidImageData);
        e.Message.Should().Contain("inflates past the 2 bytes");
        (watch.Elapsed < TimeSpan.FromSeconds(2)).Should().BeTrue(watch.Elapsed.ToString());
    }

    [Fact]
    public void ShortOrBrokenImageData_IsRefused()
    {
        Refused(Build([Header(2, 2, 8, 0), Chunk("IDAT", Zlib([0, 0])), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
        Refused(Build([Ihdr(), Chunk("IDAT", [1, 2, 3, 4]), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
        Refused(Build([Ihdr(), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
        Refused(Build([Ihdr(), Chunk("IDAT", Zlib([0])), Chunk("tEXt", [.. "a"u8, 0]), Chunk("IDAT", Zlib([0x80])), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
    }

    [Fact]
    public void ZlibStreamAskingForAPresetDictionary_IsRefusedAsCorrupt()
    {
        // 78 7d: a valid zlib header with FDICT set; zlib answers Z_NEED_DICT, which .NET raises as ZLibException (an IOException).
        byte[] fdict = [0x78, 0x7d, 0xab, 0x56, 0x4a, 0x54, 0xb2, 0x32, 0xac, 0x05, 0x00, 0x08, 0x2a, 0x02, 0x09];
        Refused(Build([Ihdr(), Chunk("IDAT", fdict), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageData);
        Refused(Minimal(Chunk("iTXt", [.. "openbadgecredential"u8, 0, 1, 0, 0, 0, .. fdict]))).Should().Be(BakingErrorReason.MalformedTextChunk);
    }

    [Theory]
    [InlineData(4097u, 1u, 8, 0)]
    [InlineData(1u, 4097u, 8, 0)]
    [InlineData(0u, 1u, 8, 0)]
    [InlineData(0x7FFFFFFFu, 0x7FFFFFFFu, 8, 6)]
    [InlineData(4096u, 4096u, 16, 6)] // within the sides, but 128 MiB decoded
    public void Dimensions_AreBounded(uint width, uint height, byte depth, byte colourType) =>
        Refused(Build([Header(width, height, depth, colourType), Chunk("IDAT", Zlib([0, 0])), Chunk("IEND", [])])).Should().Be(BakingErrorReason.ImageDimensionsTooLarge);

    [Theory]
    [InlineData(8, 7)]
    [InlineData(16, 3)]
    [InlineData(4, 2)]
    public void UndefinedColourTypeOrDepth_IsRefused(byte depth, byte colourType) =>
        Refused(Build([Header(1, 1, depth, colourType), Chunk("IDAT", Zlib([0, 0])), Chunk("IEND", [])])).Should().Be(BakingErrorReason.InvalidImageHeader);

    [Fact]
    public void BadCrc_IsRefusedAsByTheBaker()
    {
        byte[] png = Minimal();
        png[^1] ^= 0xFF; // IEND's CRC
        Refused(png).Should().Be(BakingErrorReason.ChunkCrcMismatch);
    }

    [Fact]
    public void CompressedTextAndProfiles_ShareTheBakedTextBudget()
    {
        byte[] mib = Zlib(Enumerable.Repeat((byte)'A', 1024 * 1024).ToArray());
        byte[] ztxt = Chunk("zTXt", [.. "Comment"u8, 0, 0, .. mib]);
        byte[] itxt = ITxt("Comment", 1, 0, mib);
        byte[] iccp = Chunk("iCCP", [.. "sRGB"u8, 0, 0, .. mib]);
        BakedBadge.CheckPngImage(Minimal(ztxt));
        BakedBadge.CheckPngImage(Minimal(itxt));
        Refused(Minimal(ztxt, itxt, iccp)).Should().Be(BakingErrorReason.PayloadTooLarge);
        Refused(Minimal(Chunk("zTXt", [.. "Comment"u8, 0, 0, .. Zlib(new byte[BakedBadge.MaxPayloadBytes + 1])]))).Should().Be(BakingErrorReason.PayloadTooLarge);
        Refused(Minimal(Chunk("zTXt", [.. "Comment"u8, 0, 7, .. mib]))).Should().Be(BakingErrorReason.UnsupportedCompression);
        Refused(Minimal(Chunk("zTXt", [.. "Comment"u8, 0, 0, 1, 2, 3]))).Should().Be(BakingErrorReason.MalformedTextChunk);
    }
}
