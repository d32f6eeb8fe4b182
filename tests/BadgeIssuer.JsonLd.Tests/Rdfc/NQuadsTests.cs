using System.Text;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdfc;

public sealed class NQuadsTests
{
    private static readonly RdfTerm s_s = RdfTerm.Iri("urn:ex:s");
    private static readonly RdfTerm s_p = RdfTerm.Iri("urn:ex:p");

    [Fact]
    public void Literal_escapes_are_canonical()
    {
        var lexical = new StringBuilder();
        for (int c = 0; c < 0x20; c++)
        {
            lexical.Append((char)c);
        }

        lexical.Append("\u007F\"\\'<>{}é∞\U0001F303\u0080\u00A0");
        string line = NQuads.SerializeQuad(new RdfQuad(s_s, s_p, RdfTerm.Literal(lexical.ToString())));

        const string Expected =
            "<urn:ex:s> <urn:ex:p> \"" +
            @"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F" +
            @"\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
            @"\u007F\""\\'<>{}" + "é∞\U0001F303\u0080\u00A0\" .\n";
        line.Should().Be(Expected);
    }

    [Fact]
    public void Escapes_round_trip()
    {
        string[] values =
        [
            string.Empty,
            "plain",
            "quote \" backslash \\ both \\\"",
            "line\nbreak\r\nand\ttab\bback\fform",
            "\0\u0001\u001F\u007F",
            "unicode é ∞ \U0001F303 \uFFFD \u2070",
            "\\u0039 is not an escape once escaped",
        ];
        foreach (string value in values)
        {
            var quad = new RdfQuad(s_s, s_p, RdfTerm.Literal(value), RdfTerm.Iri("urn:ex:g"));
            RdfDataset parsed = NQuads.Parse(NQuads.SerializeQuad(quad));
            parsed.Quads.Should().ContainSingle().Which.Should().Be(quad);
        }
    }

    [Fact]
    public void Parses_uchar_and_echar_escapes()
    {
        RdfDataset dataset = NQuads.Parse(
            "<urn:ex:\\u0065\\u0078> <urn:ex:\\U0001F303> \"\\u0022\\U0001F303\\t\\b\\n\\r\\f\\\"\\'\\\\\"^^<urn:ex:\\u221e> .");
        RdfQuad quad = dataset.Quads.Should().ContainSingle().Which;
        quad.Subject.Should().Be(RdfTerm.Iri("urn:ex:ex"));
        quad.Predicate.Should().Be(RdfTerm.Iri("urn:ex:\U0001F303"));
        quad.Object.Value.Should().Be("\"\U0001F303\t\b\n\r\f\"'\\");
        quad.Object.Datatype.Should().Be("urn:ex:∞");
        quad.Graph.IsDefaultGraph.Should().BeTrue();
    }

    [Fact]
    public void Language_tagged_literals_use_rdf_langString()
    {
        RdfDataset dataset = NQuads.Parse("<urn:ex:s> <urn:ex:p> \"chat\"@fr-CA .\n");
        RdfTerm literal = dataset.Quads.Should().ContainSingle().Which.Object;
        literal.Kind.Should().Be(RdfTermKind.Literal);
        literal.Value.Should().Be("chat");
        literal.Datatype.Should().Be(RdfTerm.RdfLangString);
        literal.Language.Should().Be("fr-CA");
        NQuads.SerializeTerm(literal).Should().Be("\"chat\"@fr-CA");
    }

    [Fact]
    public void Datatypes_are_kept_and_xsd_string_is_implicit()
    {
        RdfDataset dataset = NQuads.Parse(
            "<urn:ex:s> <urn:ex:p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n" +
            "<urn:ex:s> <urn:ex:p> \"a\"^^<http://www.w3.org/2001/XMLSchema#string> .\n" +
            "<urn:ex:s> <urn:ex:p> \"b\" .\n");
        dataset.Quads[0].Object.Datatype.Should().Be("http://www.w3.org/2001/XMLSchema#integer");
        dataset.Quads[1].Object.Datatype.Should().Be(RdfTerm.XsdString);
        dataset.Quads[2].Object.Datatype.Should().Be(RdfTerm.XsdString);
        dataset.Quads[2].Object.Language.Should().BeNull();
        NQuads.Serialize(dataset.Quads).Should().Be("<urn:ex:s> <urn:ex:p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n" +
            "<urn:ex:s> <urn:ex:p> \"a\" .\n" +
            "<urn:ex:s> <urn:ex:p> \"b\" .\n");
    }

    [Fact]
    public void Terms_serialize_in_canonical_form()
    {
        NQuads.SerializeTerm(RdfTerm.Iri("urn:ex:a b")).Should().Be("<urn:ex:a b>");
        NQuads.SerializeTerm(RdfTerm.BlankNode("b0")).Should().Be("_:b0");
        NQuads.SerializeTerm(RdfTerm.Literal("x")).Should().Be("\"x\"");
        NQuads.SerializeTerm(new RdfTerm(RdfTermKind.Literal, "x")).Should().Be("\"x\"");
        NQuads.SerializeTerm(RdfTerm.Literal("x", "urn:ex:dt")).Should().Be("\"x\"^^<urn:ex:dt>");
        NQuads.SerializeTerm(RdfTerm.Literal("x", language: "en")).Should().Be("\"x\"@en");
        NQuads.SerializeTerm(RdfTerm.DefaultGraph).Should().Be(string.Empty);
        new RdfQuad(s_s, s_p, RdfTerm.BlankNode("o")).ToString().Should().Be("<urn:ex:s> <urn:ex:p> _:o .\n");
        NQuads.SerializeQuad(new RdfQuad(RdfTerm.BlankNode("s"), s_p, RdfTerm.Iri("urn:ex:o"), RdfTerm.BlankNode("g"))).Should().Be("_:s <urn:ex:p> <urn:ex:o> _:g .\n");
    }

    [Fact]
    public void AppendQuad_appends()
    {
        var builder = new StringBuilder("x");
        NQuads.AppendQuad(builder, new RdfQuad(s_s, s_p, RdfTerm.Literal("v"), RdfTerm.Iri("urn:ex:g")));
        builder.ToString().Should().Be("x<urn:ex:s> <urn:ex:p> \"v\" <urn:ex:g> .\n");
    }

    [Fact]
    public void Invalid_quads_are_rejected_on_serialization()
    {
        FluentActions.Invoking(() => NQuads.SerializeQuad(new RdfQuad(RdfTerm.Literal("s"), s_p, s_s))).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => NQuads.SerializeQuad(new RdfQuad(s_s, s_p, s_s, RdfTerm.Literal("g")))).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => NQuads.SerializeQuad(new RdfQuad(s_s, s_p, RdfTerm.DefaultGraph))).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void Parses_comments_blank_lines_graphs_and_blank_nodes()
    {
        const string Text =
            "# leading comment\r\n" +
            "\r\n" +
            "   _:b1 <urn:ex:p> _:b2.x <urn:ex:g> . # trailing comment\n" +
            "\t<urn:ex:s>\t<urn:ex:p>\t\"o\"\t_:g1\t.\r" +
            "_:b1 <urn:ex:p> _:b2.x <urn:ex:g> .\n" + // duplicate
            "\n\n" +
            "_:b1 <urn:ex:p> \"last\" .";
        RdfDataset dataset = NQuads.Parse(Text);
        dataset.Count.Should().Be(3);
        dataset.Quads[0].Subject.Should().Be(RdfTerm.BlankNode("b1"));
        dataset.Quads[0].Object.Should().Be(RdfTerm.BlankNode("b2.x"));
        dataset.Quads[0].Graph.Should().Be(RdfTerm.Iri("urn:ex:g"));
        dataset.Quads[1].Graph.Should().Be(RdfTerm.BlankNode("g1"));
        dataset.Quads[2].Graph.IsDefaultGraph.Should().BeTrue();
        NQuads.Parse(string.Empty).Quads.Should().BeEmpty();
        NQuads.Parse("# only a comment").Quads.Should().BeEmpty();
    }

    [Fact]
    public void Blank_node_label_does_not_swallow_the_final_dot()
    {
        RdfQuad quad = NQuads.Parse("<urn:ex:s> <urn:ex:p> _:o.").Quads.Should().ContainSingle().Which;
        quad.Object.Should().Be(RdfTerm.BlankNode("o"));
    }

    [Theory]
    [InlineData("<urn:ex:s> <urn:ex:p> <urn:ex:o>", 1, "expected '.'")]
    [InlineData("<urn:ex:s> <urn:ex:p> <urn:ex:o> .\n\n<urn:ex:s> <urn:ex:p> \"open .\n", 3, "unterminated string literal")]
    [InlineData("# c\r\n<urn:ex:s> <urn:ex:p> \"\\x\" .", 2, "invalid escape")]
    [InlineData("<urn:ex:s> <urn:ex:p> <urn:ex:o> .\r\n<relative> <urn:ex:p> <urn:ex:o> .", 2, "not absolute")]
    [InlineData("<urn:ex:s> <urn:ex:p> <urn:ex:o> . <urn:ex:s> <urn:ex:p> <urn:ex:o> .", 1, "end of line")]
    [InlineData("\n\n\n\"lit\" <urn:ex:p> <urn:ex:o> .", 4, "subject")]
    [InlineData("<urn:ex:s> _:p <urn:ex:o> .", 1, "predicate")]
    [InlineData("<urn:ex:s> <urn:ex:p> \"o\"@ .", 1, "language tag")]
    [InlineData("<urn:ex:s> <urn:ex:p> \"o\"@en-- .", 1, "language tag")]
    [InlineData("<urn:ex:s\\UFFFFFFFF> <urn:ex:p> <urn:ex:o> .", 1, "not a Unicode scalar value")] // overflowed int (found by fuzzing)
    [InlineData("<urn:ex:s> <urn:ex:p> \"o\"^<urn:ex:dt> .", 1, "'^^<'")]
    [InlineData("<urn:ex:s> <urn:ex:p> \"\\uD800\" .", 1, "not a Unicode scalar value")]
    [InlineData("<urn:ex:s> <urn:ex:p> \"\\u12G4\" .", 1, "hex digit")]
    [InlineData("<urn:ex:a b> <urn:ex:p> <urn:ex:o> .", 1, "not allowed in an IRI")]
    [InlineData("<urn:ex:s> <urn:ex:p> <urn:ex:o> <urn:ex:g> <urn:ex:h> .", 1, "'.'")]
    [InlineData("_: <urn:ex:p> <urn:ex:o> .", 1, "blank node label")]
    [InlineData("<urn:ex:s> <urn:ex:p> <urn:ex:o", 1, "unterminated IRI")]
    public void Syntax_errors_name_the_line(string text, int line, string message)
    {
        var ex = FluentActions.Invoking(() => NQuads.Parse(text)).Should().ThrowExactly<FormatException>().Which;
        ex.Message.Should().Contain($"line {line},");
        ex.Message.Should().Contain(message);
    }
}
