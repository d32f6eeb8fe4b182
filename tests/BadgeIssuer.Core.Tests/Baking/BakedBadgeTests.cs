using System.Text;
using System.Xml;
using BadgeIssuer.Core.Baking;
using BadgeIssuer.Core.Internal;

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

        badge.Format.Should().Be(format);
        badge.Payload.Should().Be(expected);
        badge.IsCompactJws.Should().Be(isJws);
        BakedBadge.DetectFormat(image).Should().Be(format);
    }

    [Theory]
    [MemberData(nameof(FixturesAndPayloads))]
    public void BakeThenUnbake_Fixture_PreservesPayload(string file, string payload)
    {
        byte[] baked = BakedBadge.Bake(Fixture(file), payload);

        UnbakedBadge badge = BakedBadge.Unbake(baked);

        string expected = badge.Format == BadgeImageFormat.Svg ? payload.Trim() : payload;
        badge.Payload.Should().Be(expected);
        Encoding.UTF8.GetBytes(badge.Payload).Should().Equal(Encoding.UTF8.GetBytes(expected));
        CountCredentials(baked, badge.Format).Should().Be(1);
    }

    [Fact]
    public void Bake_Png_PutsSingleUncompressedChunkJustBeforeIend()
    {
        byte[] baked = BakedBadge.Bake(Fixture("simple-json.png"), NonAsciiJson);

        List<(string Type, string? Keyword)> chunks = PngTestImages.Chunks(baked);

        chunks[^1].Should().Be(("IEND", null));
        chunks[^2].Should().Be(("iTXt", "openbadgecredential"));
        chunks.Should().ContainSingle(c => c.Keyword == "openbadgecredential");
        byte[] expectedData = [.. "openbadgecredential"u8, 0, 0, 0, 0, 0, .. Encoding.UTF8.GetBytes(NonAsciiJson)];
        (baked.AsSpan().IndexOf(expectedData) > 0).Should().BeTrue();
    }

    [Fact]
    public void Bake_Png_KeepsEveryOtherChunkByteForByte()
    {
        byte[] original = Fixture("simple-jwt.png");

        byte[] baked = BakedBadge.Bake(original, "{\"x\":true}");

        // The fixture's credential chunk sat just before IEND too, so only that chunk differs.
        List<(string Type, string? Keyword)> before = PngTestImages.Chunks(original);
        List<(string Type, string? Keyword)> after = PngTestImages.Chunks(baked);
        after.Should().Equal(before);
        int prefix = original.AsSpan().CommonPrefixLength(baked);
        (prefix >= original.Length - 2300 - 12).Should().BeTrue();
        baked.AsSpan().EndsWith(original.AsSpan(original.Length - 12)).Should().BeTrue();
    }

    [Fact]
    public void Bake_Twice_ReplacesExistingCredential()
    {
        foreach (string file in (string[])["simple-json.png", "simple-json.svg"])
        {
            byte[] once = BakedBadge.Bake(Fixture(file), "{\"first\":1}");
            byte[] twice = BakedBadge.Bake(once, "{\"second\":2}");

            UnbakedBadge badge = BakedBadge.Unbake(twice);

            badge.Payload.Should().Be("{\"second\":2}");
            CountCredentials(twice, badge.Format).Should().Be(1);
            twice.Should().Equal(BakedBadge.Bake(Fixture(file), "{\"second\":2}"));
        }
    }

    [Theory]
    [InlineData("simple-json.png")]
    [InlineData("simple-json.svg")]
    public void Bake_ExistingCredentialWithThrow_ReportsAlreadyPresent(string file)
    {
        var ex = FluentActions.Invoking(() => BakedBadge.Bake(Fixture(file), "{}", existing: ExistingCredentialHandling.Throw)).Should().ThrowExactly<BakingException>().Which;

        ex.Reason.Should().Be(BakingErrorReason.CredentialAlreadyPresent);
    }

    [Fact]
    public void Bake_Png_BufferWriterOverload_MatchesArrayOverload()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();

        BadgeImageFormat format = BakedBadge.Bake(PngTestImages.Minimal(), Jws, buffer, BadgeImageFormat.Png);

        format.Should().Be(BadgeImageFormat.Png);
        buffer.WrittenSpan.ToArray().Should().Equal(BakedBadge.Bake(PngTestImages.Minimal(), Jws));
    }

    [Fact]
    public void Unbake_PngWithoutCredential_ReportsNotFound()
    {
        var ex = FluentActions.Invoking(() => BakedBadge.Unbake(PngTestImages.Minimal())).Should().ThrowExactly<BakingException>().Which;

        ex.Reason.Should().Be(BakingErrorReason.CredentialNotFound);
        BakedBadge.TryUnbake(PngTestImages.Minimal(), out UnbakedBadge? badge, out BakingErrorReason reason).Should().BeFalse();
        badge.Should().BeNull();
        reason.Should().Be(BakingErrorReason.CredentialNotFound);
    }

    [Fact]
    public void Unbake_PngBadCrc_ReportsCrcMismatch()
    {
        byte[] image = Fixture("simple-json.png");
        image[100] ^= 0x01; // inside the first IDAT

        var ex = FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which;

        ex.Reason.Should().Be(BakingErrorReason.ChunkCrcMismatch);
        ex.Offset.Should().NotBeNull();
    }

    [Fact]
    public void Unbake_PngBadCrcOnCredentialChunk_ReportsCrcMismatch()
    {
        byte[] image = Fixture("simple-json.png");
        image[^20] ^= 0x20; // inside the iTXt text

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.ChunkCrcMismatch);
    }

    [Fact]
    public void Unbake_PngTruncatedInsideChunk_ReportsTruncatedChunk()
    {
        byte[] image = Fixture("simple-json.png")[..50_000];

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.TruncatedChunk);
    }

    [Fact]
    public void Unbake_PngCutAtChunkBoundary_ReportsMissingEnd()
    {
        byte[] image = PngTestImages.Build([PngTestImages.Ihdr(), PngTestImages.ITxt("openbadgecredential", 0, 0, "{}"u8.ToArray())]);

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.MissingEnd);
    }

    [Fact]
    public void Unbake_PngChunkLengthBeyondInput_ReportsTruncatedChunk()
    {
        byte[] image = PngTestImages.Minimal();
        image[8 + 25] = 0x7F; // IDAT length high byte: 2 GiB claimed

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.TruncatedChunk);
    }

    [Fact]
    public void Unbake_PngChunkLengthAbove2Pow31_ReportsInvalidChunk()
    {
        byte[] image = PngTestImages.Minimal();
        image[8 + 25] = 0x80;

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.InvalidChunk);
    }

    [Fact]
    public void Unbake_PngFirstChunkNotIhdr_ReportsMissingHeader()
    {
        byte[] image = PngTestImages.Build([PngTestImages.Chunk("IDAT", [1, 2]), PngTestImages.Ihdr(), PngTestImages.Chunk("IEND", [])]);

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.MissingHeader);
    }

    [Fact]
    public void Unbake_PngBytesAfterIend_ReportsDataAfterEnd()
    {
        byte[] image = [.. PngTestImages.Minimal(), 0x00];

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.DataAfterEnd);
    }

    [Fact]
    public void Unbake_PngTwoCredentialChunks_AreRefused_AndRebakingLeavesOne()
    {
        byte[] image = PngTestImages.Minimal(
            PngTestImages.ITxt("openbadges", 0, 0, "{\"ob2\":true}"u8.ToArray()),
            PngTestImages.ITxt("openbadgecredential", 0, 0, "{\"n\":1}"u8.ToArray()),
            PngTestImages.ITxt("openbadgecredential", 0, 0, "{\"n\":2}"u8.ToArray()));

        // BAKE-3: at most one credential per image; which of two is meant is not knowable, so neither is read.
        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.DuplicateCredential);
        byte[] rebaked = BakedBadge.Bake(image, "{\"n\":3}");
        PngTestImages.Chunks(rebaked).Should().ContainSingle(c => c.Keyword == "openbadgecredential");
        PngTestImages.Chunks(rebaked).Should().ContainSingle(c => c.Keyword == "openbadges");
        BakedBadge.Unbake(rebaked).Payload.Should().Be("{\"n\":3}");
    }

    [Fact]
    public void Unbake_PngCompressedCredential_IsInflated()
    {
        byte[] text = Encoding.UTF8.GetBytes(NonAsciiJson);
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 1, 0, PngTestImages.Zlib(text)));

        BakedBadge.Unbake(image).Payload.Should().Be(NonAsciiJson);
    }

    [Fact]
    public void Unbake_PngCompressedBomb_ReportsPayloadTooLarge()
    {
        byte[] bomb = PngTestImages.Zlib(new byte[BakedBadge.MaxPayloadBytes + 1]);
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 1, 0, bomb));

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.PayloadTooLarge);
    }

    [Theory]
    [InlineData(1, 1, BakingErrorReason.UnsupportedCompression)]
    [InlineData(2, 0, BakingErrorReason.MalformedTextChunk)]
    public void Unbake_PngBadCompressionFields_Fails(byte flag, byte method, BakingErrorReason expected)
    {
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", flag, method, "{}"u8.ToArray()));

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(expected);
    }

    [Fact]
    public void Unbake_PngTextNotUtf8_ReportsInvalidPayloadEncoding()
    {
        byte[] image = PngTestImages.Minimal(PngTestImages.ITxt("openbadgecredential", 0, 0, [0x7B, 0xC3, 0x28, 0x7D]));

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.InvalidPayloadEncoding);
    }

    [Fact]
    public void Unbake_PngMissingTerminators_ReportsMalformedTextChunk()
    {
        byte[] image = PngTestImages.Minimal(PngTestImages.Chunk("iTXt", [.. "openbadgecredential"u8, 0, 0, 0, .. "{}"u8]));

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.MalformedTextChunk);
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
        baked.Should().Be(expected);
        BakedBadge.Unbake(Encoding.UTF8.GetBytes(baked)).Payload.Should().Be("{\"a\":\"]]>\"}");
    }

    [Fact]
    public void Bake_SvgJws_UsesVerifyAttribute()
    {
        const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), Jws, BadgeImageFormat.Svg));

        baked.Should().Be("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential verify=\"" + Jws + "\"></openbadges:credential><g/></svg>");
        UnbakedBadge badge = BakedBadge.Unbake(Encoding.UTF8.GetBytes(baked));
        badge.Payload.Should().Be(Jws);
        badge.IsCompactJws.Should().BeTrue();
    }

    [Fact]
    public void Bake_SvgSelfClosingRoot_GetsEndTag()
    {
        const string Svg = "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\" />";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), "{}"));

        baked.Should().Be("<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"  xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential><![CDATA[{}]]></openbadges:credential></svg:svg>");
        BakedBadge.Unbake(Encoding.UTF8.GetBytes(baked)).Payload.Should().Be("{}");
    }

    [Fact]
    public void Bake_SvgWithBomAndExistingNamespace_KeepsBomAndDeclaresOnce()
    {
        byte[] svg = [0xEF, 0xBB, 0xBF, .. "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"></svg>"u8];

        byte[] baked = BakedBadge.Bake(svg, "{}");

        baked.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]).Should().BeTrue();
        string text = Encoding.UTF8.GetString(baked.AsSpan(3));
        CountOccurrences(text, "xmlns:openbadges").Should().Be(1);
        BakedBadge.Unbake(baked).Payload.Should().Be("{}");
    }

    [Fact]
    public void Bake_SvgPrefixBoundElsewhere_ReportsConflict()
    {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"></svg>"u8.ToArray();

        FluentActions.Invoking(() => BakedBadge.Bake(svg, "{}")).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.NamespacePrefixConflict);
    }

    [Fact]
    public void Unbake_SvgCredentialUnderOtherPrefix_IsFoundByNamespace()
    {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><g><ob:credential xmlns:ob=\"https://purl.imsglobal.org/ob/v3p0\"><![CDATA[{\"p\":1}]]></ob:credential></g></svg>"u8.ToArray();

        BakedBadge.Unbake(svg).Payload.Should().Be("{\"p\":1}");
        byte[] rebaked = BakedBadge.Bake(svg, "{\"p\":2}");
        BakedBadge.Unbake(rebaked).Payload.Should().Be("{\"p\":2}");
        CountCredentials(rebaked, BadgeImageFormat.Svg).Should().Be(1);
        Encoding.UTF8.GetString(rebaked).Should().Contain("<g></g>");
    }

    [Fact]
    public void Bake_SvgWithCrLfAndLoneCrLines_ReplacesExistingElementInPlace()
    {
        const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"\r\n xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">\r\n\r<g>\u00E9\uD83C\uDF93</g>\r\n  <openbadges:credential verify=\"a.b.c\"/>\r\n<rect/></svg>";

        string baked = Encoding.UTF8.GetString(BakedBadge.Bake(Encoding.UTF8.GetBytes(Svg), "{\"n\":2}"));

        baked.Should().Be("<svg xmlns=\"http://www.w3.org/2000/svg\"\r\n xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\"><openbadges:credential><![CDATA[{\"n\":2}]]></openbadges:credential>\r\n\r<g>\u00E9\uD83C\uDF93</g>\r\n  \r\n<rect/></svg>");
    }

    [Fact]
    public void Unbake_SvgWithTwoCredentials_ReportsDuplicate()
    {
        const string Svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\">"
            + "<openbadges:credential verify=\"a.b.c\"/><openbadges:credential><![CDATA[{\"forged\":true}]]></openbadges:credential></svg>";

        var ex = FluentActions.Invoking(() => BakedBadge.Unbake(Encoding.UTF8.GetBytes(Svg))).Should().ThrowExactly<BakingException>().Which;

        ex.Reason.Should().Be(BakingErrorReason.DuplicateCredential);
    }

    [Fact]
    public void Unbake_SvgOb2Namespace_IsNotACredential()
    {
        byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:openbadges=\"http://openbadges.org\"><openbadges:assertion verify=\"x\"/></svg>"u8.ToArray();

        FluentActions.Invoking(() => BakedBadge.Unbake(svg)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.CredentialNotFound);
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

        FluentActions.Invoking(() => BakedBadge.Unbake(bytes)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(expected);
        FluentActions.Invoking(() => BakedBadge.Bake(bytes, "{}")).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(expected);
    }

    [Fact]
    public void Bake_SvgWithExternalDoctypeOnly_IsAccepted()
    {
        // The 1EdTech fixtures carry the SVG 1.1 public DOCTYPE; it is read, never fetched.
        byte[] svg = "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray();

        BakedBadge.Unbake(BakedBadge.Bake(svg, "{}")).Payload.Should().Be("{}");
    }

    [Fact]
    public void Unbake_SvgNotUtf8_ReportsUnsupportedEncoding()
    {
        byte[] utf16 = [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\"/>")];
        byte[] latin1 = [.. "<svg xmlns=\"http://www.w3.org/2000/svg\"><title>"u8, 0xE9, .. "</title></svg>"u8];

        FluentActions.Invoking(() => BakedBadge.Unbake(utf16)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.UnsupportedFormat);
        FluentActions.Invoking(() => BakedBadge.Unbake(latin1)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.UnsupportedEncoding);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46 })] // JPEG
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61 })] // GIF89a
    [InlineData(new byte[] { 0x7B, 0x7D })] // "{}"
    [InlineData(new byte[0])]
    public void BakeAndUnbake_NotPngOrSvg_ReportsUnsupportedFormat(byte[] image)
    {
        BakedBadge.DetectFormat(image).Should().BeNull();
        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.UnsupportedFormat);
        FluentActions.Invoking(() => BakedBadge.Bake(image, "{}")).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.UnsupportedFormat);
    }

    [Fact]
    public void Bake_FormatMismatch_Fails()
    {
        FluentActions.Invoking(() => BakedBadge.Bake(Fixture("simple-json.png"), "{}", BadgeImageFormat.Svg)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.FormatMismatch);
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("")]
    [InlineData("{\"bad\":\"\u0001\"}")]
    public void Bake_InvalidPayload_Fails(string payload)
    {
        FluentActions.Invoking(() => BakedBadge.Bake(Fixture("simple-json.svg"), payload)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.InvalidPayload);
    }

    [Fact]
    public void Bake_PayloadOverCap_ReportsPayloadTooLarge()
    {
        string payload = "{\"x\":\"" + new string('a', BakedBadge.MaxPayloadBytes) + "\"}";

        FluentActions.Invoking(() => BakedBadge.Bake(PngTestImages.Minimal(), payload)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.PayloadTooLarge);
    }

    [Fact]
    public void Unbake_ImageOverCap_ReportsImageTooLarge()
    {
        byte[] image = new byte[BakedBadge.MaxImageBytes + 1];
        PngTestImages.Signature.CopyTo(image, 0);

        FluentActions.Invoking(() => BakedBadge.Unbake(image)).Should().ThrowExactly<BakingException>().Which.Reason.Should().Be(BakingErrorReason.ImageTooLarge);
    }

    [Fact]
    public void Crc32_CheckValue()
    {
        Crc32.Compute("123456789"u8).Should().Be(0xCBF43926u);
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
