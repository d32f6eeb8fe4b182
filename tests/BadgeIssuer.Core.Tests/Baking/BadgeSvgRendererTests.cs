using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using BadgeIssuer.Core.Baking;

namespace BadgeIssuer.Core.Tests.Baking;

public sealed class BadgeSvgRendererTests
{
    private const string Jws = "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2lnbmF0dXJl";
    private const string Json = "{\"type\":[\"VerifiableCredential\",\"OpenBadgeCredential\"],\"name\":\"x]]>y \uD83C\uDF93\",\"proof\":{\"type\":\"DataIntegrityProof\"}}";
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    [Fact]
    public void Render_SimpleContent_IsAccessibleSelfContainedSvg()
    {
        byte[] bytes = BadgeSvgRenderer.Render(new BadgeSvgContent("Data Literacy", "Example University", "Certificate"));

        XElement root = Parse(bytes).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("1.1", (string?)root.Attribute("version"));
        Assert.Equal("0 0 400 400", (string?)root.Attribute("viewBox"));
        Assert.Equal("img", (string?)root.Attribute("role"));
        Assert.Equal("Data Literacy, issued by Example University", (string?)root.Attribute("aria-label"));
        Assert.Equal("Data Literacy", root.Element(Svg + "title")!.Value);
        Assert.Equal(["Data Literacy"], NameLines(root));
        Assert.Equal("Example University", Text(root, "issuer"));
        Assert.Equal("CERTIFICATE", Text(root, "type"));
        Assert.All(root.DescendantsAndSelf().Attributes(), a => Assert.DoesNotContain("href", a.Name.LocalName, StringComparison.Ordinal));
        Assert.DoesNotContain(root.Descendants(), e => e.Name.LocalName is "script" or "style" or "image" or "foreignObject");
        Assert.All(root.Descendants(Svg + "g"), g => Assert.Equal("Helvetica, Arial, sans-serif", (string?)g.Attribute("font-family")));
        Assert.False(bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]));
    }

    [Theory]
    [InlineData("]]>", "]]>")]
    [InlineData("<script>x()</script>", "<script>x()</script>")]
    [InlineData("&amp; &lt; \"'", "&amp; &lt; \"'")]
    [InlineData("a\u0000b\u001Fc\u007Fd\uFFFEe\uFFFF", "abcde")]
    [InlineData(" tab\tand\r\nnewline\u00A0 ", "tab and newline")]
    public void Render_HostileName_AppearsAsText(string name, string expected)
    {
        XElement root = Parse(BadgeSvgRenderer.Render(new BadgeSvgContent(name, name, name))).Root!;

        Assert.Equal(expected, root.Element(Svg + "title")!.Value);
        Assert.Equal(expected, string.Concat(NameLines(root)));
        Assert.Equal(expected, Text(root, "issuer"));
        Assert.Equal(expected.ToUpperInvariant(), Text(root, "type"));
        Assert.Empty(root.Descendants(Svg + "script"));
    }

    [Theory]
    [InlineData("Advanced Certificate in Applied Machine Learning for Environmental Data Science and Policy Analysis")]
    [InlineData("Pneumonoultramicroscopicsilicovolcanoconiosis-Pneumonoultramicroscopicsilicovolcanoconiosis")]
    public void Render_LongName_WrapsToThreeLinesWithEllipsis(string name)
    {
        List<string> lines = NameLines(Parse(BadgeSvgRenderer.Render(new BadgeSvgContent(name, "Issuer"))).Root!);

        Assert.Equal(BadgeSvgRenderer.MaxNameLines, lines.Count);
        Assert.EndsWith("\u2026", lines[^1], StringComparison.Ordinal);
        Assert.All(lines, l => Assert.InRange(new StringInfo(l).LengthInTextElements, 1, BadgeSvgRenderer.NameBudget));
        string shown = string.Concat(lines)[..^1].Replace(" ", string.Empty, StringComparison.Ordinal);
        Assert.StartsWith(shown, name.Replace(" ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MediumName_WrapsAtSpacesWithoutEllipsis()
    {
        List<string> lines = NameLines(Parse(BadgeSvgRenderer.Render(new BadgeSvgContent("Introduction to Structural Engineering", "I"))).Root!);

        Assert.Equal(["Introduction to", "Structural", "Engineering"], lines);
    }

    [Fact]
    public void Render_EmojiAtEveryTruncationOffset_NeverSplitsClusters()
    {
        const string Family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // one ZWJ cluster
        for (int n = 1; n <= 30; n++)
        {
            string name = string.Concat(Enumerable.Repeat("a\uD83C\uDF93" + Family + "e\u0301", n));
            byte[] bytes = BadgeSvgRenderer.Render(new BadgeSvgContent(name, name, name));

            Assert.DoesNotContain("\uFFFD", StrictUtf8.GetString(bytes), StringComparison.Ordinal);
            XElement root = Parse(bytes).Root!;
            Assert.Equal(name, root.Element(Svg + "title")!.Value);
            int offset = 0;
            foreach (string line in NameLines(root))
            {
                offset += AssertClusterPrefix(name[offset..], line);
            }

            AssertClusterPrefix(name, Text(root, "issuer"));
            AssertClusterPrefix(name.ToUpperInvariant(), Text(root, "type"));
        }
    }

    // The line (less a final ellipsis) starts source and ends on a cluster boundary; returns its length.
    private static int AssertClusterPrefix(string source, string line)
    {
        string body = line.EndsWith('\u2026') ? line[..^1] : line;
        Assert.StartsWith(body, source, StringComparison.Ordinal);
        Assert.True(body.Length == source.Length || StringInfo.ParseCombiningCharacters(source).Contains(body.Length), $"'{body}' splits a cluster");
        return body.Length;
    }

    [Fact]
    public void Render_LoneSurrogate_BecomesReplacementCharacter()
    {
        byte[] bytes = BadgeSvgRenderer.Render(new BadgeSvgContent("a\uD800b\uDC00", "Issuer"));

        Assert.Equal("a\uFFFDb\uFFFD", Parse(bytes).Root!.Element(Svg + "title")!.Value);
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Jws)]
    public void Render_ThenBakeAndUnbake_ReturnsPayload(string payload)
    {
        byte[] image = BadgeSvgRenderer.Render(new BadgeSvgContent("]]> & <Badge>", "Issuer 'Q'", "Badge", "#336699"));

        byte[] baked = BakedBadge.Bake(image, payload, BadgeImageFormat.Svg);
        UnbakedBadge badge = BakedBadge.Unbake(baked);

        Assert.Equal(payload, badge.Payload);
        Assert.Equal(payload == Jws, badge.IsCompactJws);
        XElement root = Parse(baked).Root!;
        Assert.Single(root.Elements(XNamespace.Get(BakedBadge.SvgNamespace) + "credential"));
        Assert.Equal("]]> & <Badge>", root.Element(Svg + "title")!.Value);
    }

    [Fact]
    public void Render_SameInput_IsDeterministic()
    {
        var content = new BadgeSvgContent("Team Leadership", "Acme Academy", "Badge");

        Assert.Equal(BadgeSvgRenderer.Render(content), BadgeSvgRenderer.Render(content with { }));
        string svg = Encoding.UTF8.GetString(BadgeSvgRenderer.Render(content));
        Assert.Contains(BadgeSvgRenderer.Palette, c => svg.Contains("fill=\"" + c + "\"", StringComparison.Ordinal));
        Assert.Contains("fill=\"#abcdef\"", Encoding.UTF8.GetString(BadgeSvgRenderer.Render(content with { AccentColor = "#ABCDEF" })), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("red")]
    [InlineData("#fff")]
    [InlineData("#12345g")]
    [InlineData("123456")]
    [InlineData("#1234567")]
    [InlineData(" #123456")]
    [InlineData("")]
    public void Render_InvalidAccentColor_ThrowsArgumentException(string color)
    {
        Assert.Throws<ArgumentException>(() => BadgeSvgRenderer.Render(new BadgeSvgContent("Name", "Issuer", AccentColor: color)));
    }

    [Theory]
    [InlineData("", "Issuer")]
    [InlineData("Name", "  ")]
    [InlineData("\u0001", "Issuer")]
    public void Render_MissingName_ThrowsArgumentException(string name, string issuer)
    {
        Assert.Throws<ArgumentException>(() => BadgeSvgRenderer.Render(new BadgeSvgContent(name, issuer)));
    }

    private static XDocument Parse(byte[] bytes)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(bytes), settings);
        return XDocument.Load(reader);
    }

    private static List<string> NameLines(XElement root) =>
        [.. root.Descendants(Svg + "text").Single(e => (string?)e.Attribute("class") == "name").Elements(Svg + "tspan").Select(t => t.Value)];

    private static string Text(XElement root, string cls) =>
        root.Descendants(Svg + "text").Single(e => (string?)e.Attribute("class") == cls).Value;
}
