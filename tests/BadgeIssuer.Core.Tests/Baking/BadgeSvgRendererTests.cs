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
    private static readonly XNamespace s_svg = "http://www.w3.org/2000/svg";
    private static readonly UTF8Encoding s_strictUtf8 = new(false, throwOnInvalidBytes: true);

    [Fact]
    public void Render_SimpleContent_IsAccessibleSelfContainedSvg()
    {
        byte[] bytes = BadgeSvgRenderer.Render(new BadgeSvgContent("Data Literacy", "Example University", "Certificate"));

        XElement root = Parse(bytes).Root!;
        root.Name.Should().Be(s_svg + "svg");
        ((string?)root.Attribute("version")).Should().Be("1.1");
        ((string?)root.Attribute("viewBox")).Should().Be("0 0 400 400");
        ((string?)root.Attribute("role")).Should().Be("img");
        ((string?)root.Attribute("aria-label")).Should().Be("Data Literacy, issued by Example University");
        root.Element(s_svg + "title")!.Value.Should().Be("Data Literacy");
        NameLines(root).Should().Equal(["Data Literacy"]);
        Text(root, "issuer").Should().Be("Example University");
        Text(root, "type").Should().Be("CERTIFICATE");
        root.DescendantsAndSelf().Attributes().Should().AllSatisfy(a => a.Name.LocalName.Should().NotContain("href"));
        root.Descendants().Select(e => e.Name.LocalName).Should().NotContain(["script", "style", "image", "foreignObject"]);
        root.Descendants(s_svg + "g").Should().AllSatisfy(g => ((string?)g.Attribute("font-family")).Should().Be("Helvetica, Arial, sans-serif"));
        bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]).Should().BeFalse();
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

        root.Element(s_svg + "title")!.Value.Should().Be(expected);
        string.Concat(NameLines(root)).Should().Be(expected);
        Text(root, "issuer").Should().Be(expected);
        Text(root, "type").Should().Be(expected.ToUpperInvariant());
        root.Descendants(s_svg + "script").Should().BeEmpty();
    }

    [Theory]
    [InlineData("Advanced Certificate in Applied Machine Learning for Environmental Data Science and Policy Analysis")]
    [InlineData("Pneumonoultramicroscopicsilicovolcanoconiosis-Pneumonoultramicroscopicsilicovolcanoconiosis")]
    public void Render_LongName_WrapsToThreeLinesWithEllipsis(string name)
    {
        List<string> lines = NameLines(Parse(BadgeSvgRenderer.Render(new BadgeSvgContent(name, "Issuer"))).Root!);

        lines.Count.Should().Be(BadgeSvgRenderer.MaxNameLines);
        lines[^1].Should().EndWith("\u2026");
        lines.Should().AllSatisfy(l => new StringInfo(l).LengthInTextElements.Should().BeInRange(1, BadgeSvgRenderer.NameBudget));
        string shown = string.Concat(lines)[..^1].Replace(" ", string.Empty, StringComparison.Ordinal);
        name.Replace(" ", string.Empty, StringComparison.Ordinal).Should().StartWith(shown);
    }

    [Fact]
    public void Render_MediumName_WrapsAtSpacesWithoutEllipsis()
    {
        List<string> lines = NameLines(Parse(BadgeSvgRenderer.Render(new BadgeSvgContent("Introduction to Structural Engineering", "I"))).Root!);

        lines.Should().Equal(["Introduction to", "Structural", "Engineering"]);
    }

    [Fact]
    public void Render_EmojiAtEveryTruncationOffset_NeverSplitsClusters()
    {
        const string Family = "\uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // one ZWJ cluster
        for (int n = 1; n <= 30; n++)
        {
            string name = string.Concat(Enumerable.Repeat("a\uD83C\uDF93" + Family + "e\u0301", n));
            byte[] bytes = BadgeSvgRenderer.Render(new BadgeSvgContent(name, name, name));

            s_strictUtf8.GetString(bytes).Should().NotContain("\uFFFD");
            XElement root = Parse(bytes).Root!;
            root.Element(s_svg + "title")!.Value.Should().Be(name);
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
        source.Should().StartWith(body);
        (body.Length == source.Length || StringInfo.ParseCombiningCharacters(source).Contains(body.Length)).Should().BeTrue($"'{body}' splits a cluster");
        return body.Length;
    }

    [Fact]
    public void Render_LoneSurrogate_BecomesReplacementCharacter()
    {
        byte[] bytes = BadgeSvgRenderer.Render(new BadgeSvgContent("a\uD800b\uDC00", "Issuer"));

        Parse(bytes).Root!.Element(s_svg + "title")!.Value.Should().Be("a\uFFFDb\uFFFD");
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Jws)]
    public void Render_ThenBakeAndUnbake_ReturnsPayload(string payload)
    {
        byte[] image = BadgeSvgRenderer.Render(new BadgeSvgContent("]]> & <Badge>", "Issuer 'Q'", "Badge", "#336699"));

        byte[] baked = BakedBadge.Bake(image, payload, BadgeImageFormat.Svg);
        UnbakedBadge badge = BakedBadge.Unbake(baked);

        badge.Payload.Should().Be(payload);
        badge.IsCompactJws.Should().Be(payload == Jws);
        XElement root = Parse(baked).Root!;
        root.Elements(XNamespace.Get(BakedBadge.SvgNamespace) + "credential").Should().ContainSingle();
        root.Element(s_svg + "title")!.Value.Should().Be("]]> & <Badge>");
    }

    [Fact]
    public void Render_SameInput_IsDeterministic()
    {
        var content = new BadgeSvgContent("Team Leadership", "Acme Academy", "Badge");

        BadgeSvgRenderer.Render(content with { }).Should().Equal(BadgeSvgRenderer.Render(content));
        string svg = Encoding.UTF8.GetString(BadgeSvgRenderer.Render(content));
        BadgeSvgRenderer.Palette.Should().Contain(c => svg.Contains("fill=\"" + c + "\"", StringComparison.Ordinal));
        Encoding.UTF8.GetString(BadgeSvgRenderer.Render(content with { AccentColor = "#ABCDEF" })).Should().Contain("fill=\"#abcdef\"");
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
        FluentActions.Invoking(() => BadgeSvgRenderer.Render(new BadgeSvgContent("Name", "Issuer", AccentColor: color))).Should().ThrowExactly<ArgumentException>();
    }

    [Theory]
    [InlineData("", "Issuer")]
    [InlineData("Name", "  ")]
    [InlineData("\u0001", "Issuer")]
    public void Render_MissingName_ThrowsArgumentException(string name, string issuer)
    {
        FluentActions.Invoking(() => BadgeSvgRenderer.Render(new BadgeSvgContent(name, issuer))).Should().ThrowExactly<ArgumentException>();
    }

    private static XDocument Parse(byte[] bytes)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        using var reader = XmlReader.Create(new MemoryStream(bytes), settings);
        return XDocument.Load(reader);
    }

    private static List<string> NameLines(XElement root) =>
        [.. root.Descendants(s_svg + "text").Single(e => (string?)e.Attribute("class") == "name").Elements(s_svg + "tspan").Select(t => t.Value)];

    private static string Text(XElement root, string cls) =>
        root.Descendants(s_svg + "text").Single(e => (string?)e.Attribute("class") == cls).Value;
}
