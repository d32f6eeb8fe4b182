using System.Text;
using System.Xml;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Core.Tests.Baking;

public sealed class BakedBadgeTests
{
    private const string Jws = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2lnbmF0dXJl";

    // ®, curly quotes, emoji (astral plane), Arabic and Hebrew (RTL), a CJK character.
    private const string NonAsciiJson =
        "{\"name\":\"Badge\u00AE \u201Cquoted\u201D \uD83C\uDF93 \u0645\u0631\u062D\u0628\u0627 \u05E9\u05DC\u05D5\u05DD \u4E2D\",\"n\":1}";

    public static TheoryData<string, BadgeImageFormat, bool> Fixtures => new()
    {
        { "simple-json.png", BadgeImageFormat.Png, false },
        { "simple-jwt.png", BadgeImageFormat.Png, true },
        { "simple-jwt_v1.png", BadgeImageFormat.Png, true },
        { "simple-json.svg", BadgeImageFormat.Svg, false },
        { "simple-jwt.svg", BadgeImageFormat.Svg, true },
        { "simple-jwt_v1.svg", BadgeImageFormat.Svg, true },
    };

    public static TheoryData<string, string> FixturesAndPayloads()
    {
        var data = new TheoryData<string, string>();
        foreach (string fixture in (string[])["simple-json.png", "simple-jwt.png", "simple-json.svg", "simple-jwt.svg"])
        {
            foreach (string payload in (string[])["{\"a\":1}", NonAsciiJson, Jws, "{\"weird\":\"x]]>y]]]>z\"}", "  {\"leading\":\"space is kept by PNG only\"}"])
            {
                data.Add(fixture, payload);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Unbake_OneEdTechFixture_ReturnsExpectedPayload(string file, BadgeImageFormat format, bool isJws)
    {
        byte[] image = Fixture(file);
        string expected = Encoding.UTF8.GetString(Fixture(file + ".payload.txt"));

        UnbakedBadge badge = BakedBadge.Unbake(image);

        Assert.Equal(format, badge.Format);
        Assert.Equal(expected, badge.Payload);
        Assert.Equal(isJws, badge.IsCompactJws);
        Assert.Equal(format, BakedBadge.DetectFormat(image));
    }

    [Theory]
    [MemberData(nameof(FixturesAndPayloads))]
    public void BakeThenUnbake_Fixture_PreservesPayload(string file, string payload)
    {
        byte[] baked = BakedBadge.Bake(Fixture(file), payload);

        UnbakedBadge badge = BakedBadge.Unbake(baked);

        string expected = badge.Format == BadgeImageFormat.Svg ? payload.Trim() : payload;
        Assert.Equal(expected, badge.Payload);
        Assert.Equal(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(badge.Payload));
        Assert.Equal(1, CountCredentials(baked, badge.Format));
    }

    [Fact]
    public void Bake_Png_PutsSingleUncompressedChunkJustBeforeIend()
    {
        byte[] baked = BakedBadge.Bake(Fixture("simple-json.png"), NonAsciiJson);

        List<(string Type, string? Keyword)> chunks = PngTestImages.Chunks(baked);

        Assert.Equal(("IEND", null), chunks[^1]);
        Assert.Equal(("iTXt", "openbadgecredential"), chunks[^2]);
        Assert.Single(chunks, c => c.Keyword == "openbadgecredential");
        byte[] expectedData = [.. "openbadgecredential"u8, 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(NonAsciiJson)];
        Assert.True(baked.AsSpan().IndexOf(expectedData) > 0);
    }

    [Fact]
    public void Bake_Png_KeepsEveryOtherChunkByteForByte()
    {
        byte[] original = Fixture("simple-jwt.png");

        byte[] baked = BakedBadge.Bake(original, "{\"x\":true}");

        // The fixture's credential chunk sat just before IEND too, so only that chunk differs.
        List<(string Type, string? Keyword)> before = PngTestImages.Chunks(original);
        List<(string Type, string? Keyword)> after = PngTestImages.Chunks(baked);
        Assert.Equal(before, after);
        int prefix = original.AsSpan().CommonPrefixLength(baked);
        Assert.True(prefix >= original.Length - 2300 - 12);
        Assert.True(baked.AsSpan().EndsWith(original.AsSpan(original.Length - 12)));
    }

    [Fact]
    public void Bake_Twice_ReplacesExistingCredential()
    {
        foreach (string file in (string[])["simple-json.png", "simple-json.svg"])
        {
            byte[] once = BakedBadge.Bake(Fixture(file), "{\"first\":1}");
            byte[] twice = BakedBadge.Bake(once, "{\"second\":2}");

            UnbakedBadge badge = BakedBadge.Unbake(twice);

            Assert.Equal("{\"second\":2}", badge.Payload);
            Assert.Equal(1, CountCredentials(twice, badge.Format));
            Assert.Equal(BakedBadge.Bake(Fixture(file), "{\"second\":2}"), twice);
        }
    }

    [Theory]
    [InlineData("simple-json.png")]
    [InlineData("simple-json.svg")]
    public void Bake_ExistingCredentialWithThrow_ReportsAlreadyPresent(string file)
    {
        var ex = Assert.Throws<BakingException>(() => BakedBadge.Bake(Fixture(file), "{}", existing: ExistingCredentialHandling.Throw));

        Assert.Equal(BakingErrorReason.CredentialAlreadyPresent, ex.Reason);
    }

    [Fact]
    public void Bake_Png_BufferWriterOverload_MatchesArrayOverload()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        BadgeImageFormat format = BakedBadge.Bake(PngTestImages.Minimal(), Jws, buffer, BadgeImageFormat.Png);

        Assert.Equal(BadgeImageFormat.Png, format);
        Assert.Equal(BakedBadge.Bake(PngTestImages.Minimal(), Jws), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void Unbake_PngWithoutCredential_ReportsNotFound()
    {
        var ex = Assert.Throws<BakingException>(() => BakedBadge.Unbake(PngTestImages.Minimal()));

        Assert.Equal(BakingErrorReason.CredentialNotFound, ex.Reason);
        Assert.False(BakedBadge.TryUnbake(PngTestImages.Minimal(), out UnbakedBadge? badge, out BakingErrorReason reason));
        Assert.Null(badge);
        Assert.Equal(BakingErrorReason.CredentialNotFound, reason);
    }

    [Fact]
    public void Unbake_PngBadCrc_ReportsCrcMismatch()
    {
        byte[] image = Fixture("simple-json.png");
        image[100] ^= 0x01; // inside the first IDAT

        var ex = Assert.Throws<BakingException>(() => BakedBadge.Unbake(image));

        Assert.Equal(BakingErrorReason.ChunkCrcMismatch, ex.Reason);
        Assert.NotNull(ex.Offset);
    }

    [Fact]
    public void Unbake_PngBadCrcOnCredentialChunk_ReportsCrcMismatch()
    {
        byte[] image = Fixture("simple-json.png");
        image[^20] ^= 0x20; // inside the iTXt text

        Assert.Equal(BakingErrorReason.ChunkCrcMismatch, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngTruncatedInsideChunk_ReportsTruncatedChunk()
    {
        byte[] image = Fixture("simple-json.png")[..50_000];

        Assert.Equal(BakingErrorReason.TruncatedChunk, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngCutAtChunkBoundary_ReportsMissingEnd()
    {
        byte[] image = PngTestImages.Build([PngTestImages.Ihdr(), PngTestImages.ITxt("openbadgecredential", 0, 0, "{}"u8.ToArray())]);

        Assert.Equal(BakingErrorReason.MissingEnd, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngChunkLengthBeyondInput_ReportsTruncatedChunk()
    {
        byte[] image = PngTestImages.Minimal();
        image[8 + 25] = 0x7F; // IDAT length high byte: 2 GiB claimed

        Assert.Equal(BakingErrorReason.TruncatedChunk, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngChunkLengthAbove2Pow31_ReportsInvalidChunk()
    {
        byte[] image = PngTestImages.Minimal();
        image[8 + 25] = 0x80;

        Assert.Equal(BakingErrorReason.InvalidChunk, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngFirstChunkNotIhdr_ReportsMissingHeader()
    {
        byte[] image = PngTestImages.Build([PngTestImages.Chunk("IDAT", [1, 2]), PngTestImages.Ihdr(), PngTestImages.Chunk("IEND", [])]);

        Assert.Equal(BakingErrorReason.MissingHeader, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngBytesAfterIend_ReportsDataAfterEnd()
    {
        byte[] image = [.. PngTestImages.Minimal(), 0x00];

        Assert.Equal(BakingErrorReason.DataAfterEnd, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngTwoCredentialChunks_AreRefused_AndRebakingLeavesOne()
    {
        byte[] image = PngTestImages.Minimal(
            PngTestImages.ITxt("openbadges", 0, 0, "{\"ob2\":true}"u8.ToArray()),
            PngTestImages.ITxt("openbadgecredential", 0, 0, "{\"n\":1}"u8.ToArray()),
            PngTestImages.ITxt("openbadgecredential", 0, 0, "{\"n\":2}"u8.ToArray()));

        // BAKE-3: at most one credential per image; which of two is meant is not knowable, so neither is read.
        Assert.Equal(BakingErrorReason.DuplicateCredential, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
        byte[] rebaked = BakedBadge.Bake(image, "{\"n\":3}");
        Assert.Single(PngTestImages.Chunks(rebaked), c => c.Keyword == "openbadgecredential");
        Assert.Single(PngTestImages.Chunks(rebaked), c => c.Keyword == "openbadges");
        Assert.Equal("{\"n\":3}", BakedBadge.Unbake(rebaked).Payload);
    }

    [Fact]
    public void Unbake_PngCompressedCredential_IsInflated()
    {
        byte[] text = Encoding.UTF8.GetBytes(NonAsciiJson);
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 1, 0, PngTestImages.Zlib(text)));

        Assert.Equal(NonAsciiJson, BakedBadge.Unbake(image).Payload);
    }

    [Fact]
    public void Unbake_PngCompressedBomb_ReportsPayloadTooLarge()
    {
        byte[] bomb = PngTestImages.Zlib(new byte[BakedBadge.MaxPayloadBytes + 1]);
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 1, 0, bomb));

        Assert.Equal(BakingErrorReason.PayloadTooLarge, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Theory]
    [InlineData(1, 1, BakingErrorReason.UnsupportedCompression)]
    [InlineData(2, 0, BakingErrorReason.MalformedTextChunk)]
    public void Unbake_PngBadCompressionFields_Fails(byte flag, byte method, BakingErrorReason expected)
    {
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", flag, method, "{}"u8.ToArray()));

        Assert.Equal(expected, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngTextNotUtf8_ReportsInvalidPayloadEncoding()
    {
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 0, 0, [0x7B, 0xC3, 0x28, 0x7D]));

        Assert.Equal(BakingErrorReason.InvalidPayloadEncoding, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Unbake_PngMissingTerminators_ReportsMalformedTextChunk()
    {
        byte[] image = PngTestImages.Minimal(PngTestImages.Chunk("iTXt", [.. "openbadgecredential"u8, 0, 0, 0, .. "{}"u8]));

        Assert.Equal(BakingErrorReason.MalformedTextChunk, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Bake_SvgJson_InsertsCdataDirectlyAfterRootStartTag()
    {
        const string Svg = "<?xml version=\"1.0\"?>\n<!-- a <svg> in a comment -->\n<?pi <svg>?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" data-x=\"a>b\" data-y='c\">d'>\r\n  <rect/>\n</svg>\n";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), "{\"a\":\"]]>\"}"));

        string expected = Svg.Replace(
            "data-y='c\">d'>",
            "data-y='c\">d' xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential><![CDATA[{\"a\":\"]]]]><![CDATA[>\"}]]></openbadges:credential>",
            StringComparison.Ordinal);
        Assert.Equal(expected, baked);
        Assert.Equal("{\"a\":\"]]>\"}", BakedBadge.Unbake(Encoding.UTF8.GetBytes(baked)).Payload);
    }

    [Fact]
    public void Bake_SvgJws_UsesVerifyAttribute()
    {
        const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), Jws, BadgeImageFormat.Svg));

        Assert.Equal(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential verify=\"" + Jws + "\"></openbadges:credential><g/></svg>",
            baked);
        UnbakedBadge badge = BakedBadge.Unbake(Encoding.UTF8.GetBytes(baked));
        Assert.Equal(Jws, badge.Payload);
        Assert.True(badge.IsCompactJws);
    }

    [Fact]
    public void Bake_SvgSelfClosingRoot_GetsEndTag()
    {
        const string Svg = "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\" />";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), "{}"));

        Assert.Equal(
            "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"  xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential><![CDATA[{}]]></openbadges:credential></svg:svg>",
            baked);
        Assert.Equal("{}", BakedBadge.Unbake(Encoding.UTF8.GetBytes(baked)).Payload);
    }

    [Fact]
    public void Bake_SvgWithBomAndExistingNamespace_KeepsBomAndDeclaresOnce()
    {
        byte[] svg = [0xEF, 0xBB, 0xBF, .. "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"></svg>"u8];

        byte[] baked = BakedBadge.Bake(svg, "{}");

        Assert.True(baked.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]));
        string text = Encoding.UTF8.GetString(baked.AsSpan(3));
        Assert.Equal(1, CountOccurrences(text, "xmlns:openbadges"));
        Assert.Equal("{}", BakedBadge.Unbake(baked).Payload);
    }

    [Fact]
    public void Bake_SvgPrefixBoundElsewhere_ReportsConflict()
    {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"></svg>"u8.ToArray();

        Assert.Equal(BakingErrorReason.NamespacePrefixConflict, Assert.Throws<BakingException>(() => BakedBadge.Bake(svg, "{}")).Reason);
    }

    [Fact]
    public void Unbake_SvgCredentialUnderOtherPrefix_IsFoundByNamespace()
    {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g><ob:credential xmlns:ob=\"https://purl.imsglobal.org/ob/v3p0\"><![CDATA[{\"p\":1}]]></ob:credential></g></svg>"u8.ToArray();

        Assert.Equal("{\"p\":1}", BakedBadge.Unbake(svg).Payload);
        byte[] rebaked = BakedBadge.Bake(svg, "{\"p\":2}");
        Assert.Equal("{\"p\":2}", BakedBadge.Unbake(rebaked).Payload);
        Assert.Equal(1, CountCredentials(rebaked, BadgeImageFormat.Svg));
        Assert.Contains("<g></g>", Encoding.UTF8.GetString(rebaked), StringComparison.Ordinal);
    }

    [Fact]
    public void Bake_SvgWithCrLfAndLoneCrLines_ReplacesExistingElementInPlace()
    {
        const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"\r\n xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">\r\n\r<g>\u00E9\uD83C\uDF93</g>\r\n  <openbadges:credential verify=\"a.b.c\"/>\r\n<rect/></svg>";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), "{\"n\":2}"));

        Assert.Equal(
            "<svg xmlns=\"http://www.w3.org/2000/svg\"\r\n xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential><![CDATA[{\"n\":2}]]></openbadges:credential>\r\n\r<g>\u00E9\uD83C\uDF93</g>\r\n  \r\n<rect/></svg>",
            baked);
    }

    [Fact]
    public void Unbake_SvgWithTwoCredentials_ReportsDuplicate()
    {
        const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
            + "<openbadges:credential verify=\"a.b.c\"/><openbadges:credential><![CDATA[{\"forged\":true}]]></openbadges:credential></svg>";

        var ex = Assert.Throws<BakingException>(() => BakedBadge.Unbake(Encoding.UTF8.GetBytes(Svg)));

        Assert.Equal(BakingErrorReason.DuplicateCredential, ex.Reason);
    }

    [Fact]
    public void Unbake_SvgOb2Namespace_IsNotACredential()
    {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"x\"/></svg>"u8.ToArray();

        Assert.Equal(BakingErrorReason.CredentialNotFound, Assert.Throws<BakingException>(() => BakedBadge.Unbake(svg)).Reason);
    }

    [Theory]
    [InlineData("<!DOCTYPE svg [<!ENTITY x \"boom\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>", BakingErrorReason.DtdNotAllowed)]
    [InlineData("<!DOCTYPE svg [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&c;</svg>", BakingErrorReason.DtdNotAllowed)]
    [InlineData("<!DOCTYPE svg [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&xxe;</svg>", BakingErrorReason.DtdNotAllowed)]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\">&undeclared;</svg>", BakingErrorReason.InvalidXml)]
    [InlineData("<svg xmlns=\"http://www.w3.org/2000/svg\"><g></svg>", BakingErrorReason.InvalidXml)]
    [InlineData("<html xmlns=\"http://www.w3.org/1999/xhtml\"><svg xmlns=\"http://www.w3.org/2000/svg\"/></html>", BakingErrorReason.MissingSvgRoot)]
    [InlineData("<svg xmlns=\"http://example.com/not-svg\"/>", BakingErrorReason.MissingSvgRoot)]
    [InlineData("<!-- only a comment -->", BakingErrorReason.InvalidXml)]
    public void BakeAndUnbake_BadSvg_Fail(string svg, BakingErrorReason expected)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(svg);

        Assert.Equal(expected, Assert.Throws<BakingException>(() => BakedBadge.Unbake(bytes)).Reason);
        Assert.Equal(expected, Assert.Throws<BakingException>(() => BakedBadge.Bake(bytes, "{}")).Reason);
    }

    [Fact]
    public void Bake_SvgWithExternalDoctypeOnly_IsAccepted()
    {
        // The 1EdTech fixtures carry the SVG 1.1 public DOCTYPE; it is read, never fetched.
        byte[] svg = "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray();

        Assert.Equal("{}", BakedBadge.Unbake(BakedBadge.Bake(svg, "{}")).Payload);
    }

    [Fact]
    public void Unbake_SvgNotUtf8_ReportsUnsupportedEncoding()
    {
        byte[] utf16 = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")];
        byte[] latin1 = [.. "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>"u8, 0xE9, .. "</title></svg>"u8];

        Assert.Equal(BakingErrorReason.UnsupportedFormat, Assert.Throws<BakingException>(() => BakedBadge.Unbake(utf16)).Reason);
        Assert.Equal(BakingErrorReason.UnsupportedEncoding, Assert.Throws<BakingException>(() => BakedBadge.Unbake(latin1)).Reason);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46 })] // JPEG
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 })] // GIF89a
    [InlineData(new byte[] { 0x7B, 0x7D })] // "{}"
    [InlineData(new byte[0])]
    public void BakeAndUnbake_NotPngOrSvg_ReportsUnsupportedFormat(byte[] image)
    {
        Assert.Null(BakedBadge.DetectFormat(image));
        Assert.Equal(BakingErrorReason.UnsupportedFormat, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
        Assert.Equal(BakingErrorReason.UnsupportedFormat, Assert.Throws<BakingException>(() => BakedBadge.Bake(image, "{}")).Reason);
    }

    [Fact]
    public void Bake_FormatMismatch_Fails()
    {
        Assert.Equal(BakingErrorReason.FormatMismatch,
            Assert.Throws<BakingException>(() => BakedBadge.Bake(Fixture("simple-json.png"), "{}", BadgeImageFormat.Svg)).Reason);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("")]
    [InlineData("{\"bad\":\"\u0001\"}")]
    public void Bake_InvalidPayload_Fails(string payload)
    {
        Assert.Equal(BakingErrorReason.InvalidPayload,
            Assert.Throws<BakingException>(() => BakedBadge.Bake(Fixture("simple-json.svg"), payload)).Reason);
    }

    [Fact]
    public void Bake_PayloadOverCap_ReportsPayloadTooLarge()
    {
        string payload = "{\"x\":\"" + new string('a', BakedBadge.MaxPayloadBytes) + "\"}";

        Assert.Equal(BakingErrorReason.PayloadTooLarge,
            Assert.Throws<BakingException>(() => BakedBadge.Bake(PngTestImages.Minimal(), payload)).Reason);
    }

    [Fact]
    public void Unbake_ImageOverCap_ReportsImageTooLarge()
    {
        byte[] image = new byte[BakedBadge.MaxImageBytes + 1];
        PngTestImages.Signature.CopyTo(image, 0);

        Assert.Equal(BakingErrorReason.ImageTooLarge, Assert.Throws<BakingException>(() => BakedBadge.Unbake(image)).Reason);
    }

    [Fact]
    public void Crc32_CheckValue()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
    }

    private static byte[] Fixture(string name) => TestFiles.Bytes("1edtech-validator-fixtures", "baked", name);

    private static int CountCredentials(byte[] image, BadgeImageFormat format)
    {
        if (format == BadgeImageFormat.Png)
        {
            return PngTestImages.Chunks(image).Count(c => c.Type == "iTXt" && c.Keyword == "openbadgecredential");
        }

        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(image), settings);
        int count = 0;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "credential" && reader.NamespaceURI == BakedBadge.SvgNamespace)
            {
                count++;
            }
        }

        return count;
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
