using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.Internal;

namespace BadgeIssuer.Core.Tests.Baking;

public sealed class BadgePngRendererTests
{
    private const string Jws = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2lnbmF0dXJl";
    private const string Json = "{\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],\"name\":\"x]]>y \uD83C\uDF93\",\"proof\":{\"type\":\"DataIntegrityProof\"}}";
    private const int Size = BadgePngRenderer.Size;

    private static readonly Rgba s_transparent = new(0, 0, 0, 0);
    private static readonly Rgba s_white = new(0xFF, 0xFF, 0xFF, 0xFF);
    private static readonly Rgba s_accent = new(0x33, 0x66, 0x99, 0xFF); // #336699
    private static readonly Rgba s_nameColor = new(0x11, 0x18, 0x27, 0xFF);
    private static readonly BadgeSvgContent s_sample = new("Data Literacy", "Example University", "Certificate", "#336699");

    [Fact]
    public void Render_SimpleContent_IsValidRgbaPng()
    {
        byte[] png = BadgePngRenderer.Render(s_sample);

        png[..8].Should().Equal(PngTestImages.Signature);
        List<(string Type, byte[] Data)> chunks = ReadChunks(png); // checks every CRC
        chunks.Select(c => c.Type).Should().Equal(["IHDR", "sRGB", "IDAT", "IEND"]);
        byte[] ihdr = chunks[0].Data;
        ihdr.Length.Should().Be(13);
        BinaryPrimitives.ReadUInt32BigEndian(ihdr).Should().Be((uint)Size);
        BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(4)).Should().Be((uint)Size);
        ihdr[8..].Should().Equal([8, 6, 0, 0, 0]); // 8-bit RGBA, deflate, adaptive filtering, no interlace
        chunks[^1].Data.Should().BeEmpty();

        byte[] scanlines = Inflate(chunks);
        scanlines.Length.Should().Be(Size * (1 + (Size * 4)));
        Enumerable.Range(0, Size).Should().AllSatisfy(y => scanlines[y * (1 + (Size * 4))].Should().BeInRange(0, 4));
        png.Length.Should().BeInRange(1, 100 * 1024);
        PngBaking.ReadChunks(png); // the baker's own validation accepts it
    }

    [Fact]
    public void Render_KnownPixels_HaveTheDesignColours()
    {
        Func<int, int, Rgba> pixel = Decode(BadgePngRenderer.Render(new BadgeSvgContent("I", "Issuer", AccentColor: "#336699")));

        pixel(0, 0).Should().Be(s_transparent);           // corner, outside the disc
        pixel(200, 7).Should().Be(s_transparent);         // just outside the disc (r = 192)
        pixel(200, 8).Should().Be(s_accent);              // disc edge, fully covered
        pixel(200, 12).Should().Be(s_accent);             // accent border
        pixel(200, 37).Should().Be(s_accent);             // accent ring on the face (r = 163)
        pixel(200, 40).Should().Be(s_white);              // white face
        pixel(200, 80).Should().Be(s_accent);             // star
        pixel(200, 150).Should().Be(s_white);             // face between type and name
        pixel(200, 200).Should().Be(s_nameColor);         // centre: the stem of the 'I'
        pixel(200, 265).Should().Be(s_accent);            // rule under the name
        pixel(200, 264).Should().Be(s_white);
        pixel(383, 205).Should().Be(s_accent);            // gap in the dashed ring

        Rgba dash = pixel(383, 200);                      // a dash: white at 70 % over the accent
        dash.A.Should().Be(0xFF);
        ((int)dash.R).Should().BeInRange(s_accent.R + 100, 0xFE);
        ((int)dash.B).Should().BeInRange(s_accent.B + 50, 0xFE);

        Rgba edge = pixel(64, 64);                        // anti-aliased disc edge on the diagonal
        edge.A.Should().BeInRange(1, 0xFE);
        edge.Should().Be(s_accent with { A = edge.A });
    }

    [Fact]
    public void Render_Text_IsDrawnInItsColours()
    {
        Func<int, int, Rgba> pixel = Decode(BadgePngRenderer.Render(s_sample));

        Count(pixel, 100, 130, s_nameColor).Should().Be(0);
        Count(pixel, 110, 127, new Rgba(0x4B, 0x55, 0x63, 0xFF)).Should().BeInRange(200, 5000); // type
        Count(pixel, 150, 255, s_nameColor).Should().BeInRange(1000, 40000);                   // name
        Count(pixel, 284, 306, new Rgba(0x37, 0x41, 0x51, 0xFF)).Should().BeInRange(200, 5000); // issuer
    }

    [Fact]
    public void Render_SameInput_IsDeterministic()
    {
        BadgeSvgContent content = s_sample;

        BadgePngRenderer.Render(content with { }).Should().Equal(BadgePngRenderer.Render(content));
        BadgePngRenderer.Render(content with { AccentColor = "#abcdef" }).Should().NotEqual(BadgePngRenderer.Render(content));
    }

    [Theory]
    [InlineData("Team Leadership")]
    [InlineData("Data Literacy")]
    [InlineData("\uD83C\uDF93")]
    public void Render_DefaultAccent_MatchesTheSvgRenderer(string name)
    {
        var content = new BadgeSvgContent(name, "Acme Academy");

        Rgba border = Decode(BadgePngRenderer.Render(content))(200, 12);

        XNamespace svg = "http://www.w3.org/2000/svg";
        string fill = (string)XDocument.Parse(Encoding.UTF8.GetString(BadgeSvgRenderer.Render(content))).Root!.Element(svg + "circle")!.Attribute("fill")!;
        BadgeSvgRenderer.Palette.Should().Contain(fill);
        $"#{border.R:x2}{border.G:x2}{border.B:x2}".Should().Be(fill);
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Jws)]
    public void Render_ThenBakeAndUnbake_ReturnsPayload(string payload)
    {
        byte[] image = BadgePngRenderer.Render(new BadgeSvgContent("]]> & <Badge>", "Issuer 'Q'", "Badge", "#336699"));

        byte[] baked = BakedBadge.Bake(image, payload, BadgeImageFormat.Png);
        UnbakedBadge badge = BakedBadge.Unbake(baked);

        badge.Payload.Should().Be(payload);
        badge.Format.Should().Be(BadgeImageFormat.Png);
        badge.IsCompactJws.Should().Be(payload == Jws);
        PngTestImages.Chunks(baked).Should().Equal([("IHDR", null), ("sRGB", null), ("IDAT", null), ("iTXt", BakedBadge.PngKeyword), ("IEND", null)]);
        Inflate(ReadChunks(baked)).Should().Equal(Inflate(ReadChunks(image)));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 \uD83C\uDDFA\uD83C\uDDE6 \uD83C\uDF93\uD83C\uDF93\uD83C\uDF93\uD83C\uDF93\uD83C\uDF93\uD83C\uDF93\uD83C\uDF93")]
    [InlineData("\u65E5\u672C\u8A9E\u306E\u30D0\u30C3\u30B8 \u0627\u0644\u0639\u0631\u0628\u064A\u0629 \u05E2\u05D1\u05E8\u05D9\u05EA")]
    [InlineData("a\uD800b\uDC00 \u202Eevil\u202C \u200B\u200D e\u0301\u0301\u0301\u0301")]
    [InlineData("a\u0000b\u001Fc\u007Fd\uFFFEe\uFFFF \t\r\n")]
    [InlineData("Pneumonoultramicroscopicsilicovolcanoconiosis-Pneumonoultramicroscopicsilicovolcanoconiosis")]
    public void Render_HostileName_ProducesValidPng(string name)
    {
        byte[] png = BadgePngRenderer.Render(new BadgeSvgContent(name, name, name));

        Inflate(ReadChunks(png)).Length.Should().Be(Size * (1 + (Size * 4)));
        png.Length.Should().BeInRange(1, 100 * 1024);
    }

    [Fact]
    public void Render_VeryLongNames_StayWithinLimits()
    {
        string name = string.Concat(Enumerable.Repeat("Advanced Certificate \u00E9\u00DF\uD83C\uDF93 ", 5000));

        byte[] png = BadgePngRenderer.Render(new BadgeSvgContent(name, name, name));

        png.Length.Should().BeInRange(1, 100 * 1024);
        BakedBadge.Unbake(BakedBadge.Bake(png, Jws)).Payload.Should().Be(Jws);
    }

    [Theory]
    [InlineData("Data Literacy", "Data Literacy")]
    [InlineData("Caf\u00E9 Stra\u00DFe \u00C6r\u00F8 \u00DEorn", "Cafe Strasse AEro Thorn")]
    [InlineData("Cafe\u0301 n\u0303", "Cafe n")]
    [InlineData("Women\u2019s \u2013 \u201CBest\u201D\u2026", "Women's - \"Best\"\u2026")]
    [InlineData("\uD83C\uDF93 \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 \uD83C\uDDFA\uD83C\uDDE6", "? ? ?")]
    [InlineData("\u65E5\u672C \u0416 \u00A9 \uFFFD", "?? ? ? ?")]
    public void ToGlyphs_Cluster_BecomesOneFontCharacterOrAsciiFold(string text, string expected)
    {
        BadgePngRenderer.ToGlyphs(text).Should().Be(expected);
    }

    [Theory]
    [InlineData("I", 4, new[] { "I" })]
    [InlineData("Data Literacy", 4, new[] { "Data", "Literacy" })]
    [InlineData("Team Leadership", 4, new[] { "Team", "Leadership" })]
    [InlineData("Communication Skills", 3, new[] { "Communication", "Skills" })]
    [InlineData("Introduction to Structural Engineering", 3, new[] { "Introduction to", "Structural", "Engineering" })]
    [InlineData("Advanced Certificate in Applied Machine Learning for Data", 3, new[] { "Advanced", "Certificate in", "Applied Machine\u2026" })]
    public void LayoutName_Length_PicksScaleAndLines(string name, int scale, string[] lines)
    {
        (List<string> actual, int actualScale) = BadgePngRenderer.LayoutName(name);

        actualScale.Should().Be(scale);
        actual.Should().Equal(lines);
        actual.Count.Should().BeInRange(1, BadgePngRenderer.MaxNameLines);
    }

    [Theory]
    [InlineData("red")]
    [InlineData("#fff")]
    [InlineData("#12345g")]
    public void Render_InvalidAccentColor_ThrowsArgumentException(string color)
    {
        FluentActions.Invoking(() => BadgePngRenderer.Render(new BadgeSvgContent("Name", "Issuer", AccentColor: color))).Should().ThrowExactly<ArgumentException>();
    }

    [Theory]
    [InlineData("", "Issuer")]
    [InlineData("Name", "  ")]
    [InlineData("\u0001", "Issuer")]
    public void Render_MissingName_ThrowsArgumentException(string name, string issuer)
    {
        FluentActions.Invoking(() => BadgePngRenderer.Render(new BadgeSvgContent(name, issuer))).Should().ThrowExactly<ArgumentException>();
    }

    private readonly record struct Rgba(byte R, byte G, byte B, byte A)
    {
        public Rgba(int r, int g, int b, int a)
            : this((byte)r, (byte)g, (byte)b, (byte)a)
        {
        }
    }

    private static int Count(Func<int, int, Rgba> pixel, int fromY, int toY, Rgba color)
    {
        int count = 0;
        for (int y = fromY; y <= toY; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                count += pixel(x, y) == color ? 1 : 0;
            }
        }

        return count;
    }

    // Every chunk as (type, data), checking lengths and CRCs; stops after IEND.
    private static List<(string Type, byte[] Data)> ReadChunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        int pos = 8;
        while (pos < png.Length)
        {
            int length = checked((int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos)));
            length.Should().BeInRange(0, png.Length - pos - 12);
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length));
            crc.Should().Be(Crc32.Compute(png.AsSpan(pos + 4, length + 4)));
            chunks.Add((type, png[(pos + 8)..(pos + 8 + length)]));
            pos += length + 12;
        }

        pos.Should().Be(png.Length);
        return chunks;
    }

    private static byte[] Inflate(List<(string Type, byte[] Data)> chunks)
    {
        byte[] idat = [.. chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data)];
        using var zlib = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
        using var output = new MemoryStream();
        zlib.CopyTo(output);
        return output.ToArray();
    }

    // Unfilters the scanlines (all five PNG filter types) and returns a pixel reader.
    private static Func<int, int, Rgba> Decode(byte[] png)
    {
        byte[] scanlines = Inflate(ReadChunks(png));
        const int Stride = Size * 4;
        byte[] pixels = new byte[Size * Stride];
        for (int y = 0; y < Size; y++)
        {
            byte filter = scanlines[y * (Stride + 1)];
            for (int i = 0; i < Stride; i++)
            {
                int a = i >= 4 ? pixels[(y * Stride) + i - 4] : 0;
                int b = y > 0 ? pixels[((y - 1) * Stride) + i] : 0;
                int c = i >= 4 && y > 0 ? pixels[((y - 1) * Stride) + i - 4] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidDataException($"Filter type {filter}."),
                };
                pixels[(y * Stride) + i] = unchecked((byte)(scanlines[(y * (Stride + 1)) + 1 + i] + predictor));
            }
        }

        return (x, y) =>
        {
            int index = (y * Stride) + (x * 4);
            return new Rgba(pixels[index], pixels[index + 1], pixels[index + 2], pixels[index + 3]);
        };
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
