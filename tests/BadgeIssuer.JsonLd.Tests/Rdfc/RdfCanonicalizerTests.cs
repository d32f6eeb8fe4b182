using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Rdfc;

public sealed class RdfCanonicalizerTests
{
    [Fact]
    public void Sha384_is_selectable_and_changes_the_result()
    {
        // test075 is test020 (a diamond) canonicalized with SHA-384; the two hashes order the nodes differently.
        RdfDataset input = RdfCanonManifest.LoadInput(RdfCanonManifest.Get("test075c"));
        RdfcResult sha256 = RdfCanonicalizer.Canonicalize(input);
        RdfcResult sha384 = RdfCanonicalizer.Canonicalize(input, new RdfcOptions { HashAlgorithm = RdfcHashAlgorithm.Sha384 });

        RdfcOptions.Default.HashAlgorithm.Should().Be(RdfcHashAlgorithm.Sha256);
        sha256.IssuedIdentifiers["e0"].Should().Be("c14n2");
        sha384.IssuedIdentifiers["e0"].Should().Be("c14n0");
        sha384.CanonicalNQuads.Should().NotBe(sha256.CanonicalNQuads);
        sha384.CanonicalNQuads.Should().Be(System.Text.Encoding.UTF8.GetString(RdfCanonManifest.LoadResultBytes(RdfCanonManifest.Get("test075c"))));
    }

    [Fact]
    public void Lines_are_sorted_in_code_point_order_not_utf16_order()
    {
        // U+FFFD (one UTF-16 unit, 0xFFFD) precedes U+1F303 (surrogates 0xD83C...) in code point order.
        RdfDataset dataset = NQuads.Parse(
            "<urn:ex:s> <urn:ex:p> \"\\U0001F303\" .\n" +
            "<urn:ex:s> <urn:ex:p> \"\\uFFFD\" .\n");
        RdfCanonicalizer.CanonicalizeToNQuads(dataset).Should().Be("<urn:ex:s> <urn:ex:p> \"\uFFFD\" .\n<urn:ex:s> <urn:ex:p> \"\U0001F303\" .\n");
    }

    [Fact]
    public void Result_has_relabelled_quads_in_canonical_order()
    {
        RdfDataset dataset = NQuads.Parse(
            "_:x <urn:ex:name> \"z\" _:g .\n" +
            "_:y <urn:ex:name> \"a\" .\n" +
            "_:x <urn:ex:knows> _:y .\n");
        RdfcResult result = RdfCanonicalizer.Canonicalize(dataset);

        result.CanonicalNQuads.Should().Be(NQuads.Serialize(result.Quads));
        result.IssuedIdentifiers.Count.Should().Be(3);
        foreach (RdfQuad quad in result.Quads)
        {
            foreach (RdfTerm term in new[] { quad.Subject, quad.Object, quad.Graph })
            {
                (!term.IsBlankNode || term.Value.StartsWith("c14n", StringComparison.Ordinal)).Should().BeTrue(term.Value);
            }
        }

        // Relabelling is stable under renaming the input blank nodes and shuffling the quads.
        RdfDataset renamed = NQuads.Parse(
            "_:q <urn:ex:knows> _:p .\n" +
            "_:p <urn:ex:name> \"a\" .\n" +
            "_:q <urn:ex:name> \"z\" _:h .\n");
        RdfCanonicalizer.CanonicalizeToNQuads(renamed).Should().Be(result.CanonicalNQuads);
    }

    [Fact]
    public void Empty_and_ground_datasets()
    {
        RdfCanonicalizer.CanonicalizeToNQuads(new RdfDataset()).Should().Be(string.Empty);
        RdfcResult ground = RdfCanonicalizer.Canonicalize(NQuads.Parse("<urn:b> <urn:p> <urn:o> .\n<urn:a> <urn:p> \"x\"@en .\n"));
        ground.CanonicalNQuads.Should().Be("<urn:a> <urn:p> \"x\"@en .\n<urn:b> <urn:p> <urn:o> .\n");
        ground.IssuedIdentifiers.Should().BeEmpty();
    }

    [Fact]
    public void Generalized_quads_are_rejected()
    {
        RdfTerm iri = RdfTerm.Iri("urn:ex:i");
        var blankPredicate = new RdfDataset([new RdfQuad(iri, RdfTerm.BlankNode("p"), iri)]);
        var literalSubject = new RdfDataset([new RdfQuad(RdfTerm.Literal("s"), iri, iri)]);
        FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(blankPredicate)).Should().ThrowExactly<ArgumentException>();
        FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(literalSubject)).Should().ThrowExactly<ArgumentException>();
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        FluentActions.Invoking(() => RdfCanonicalizer.Canonicalize(null!)).Should().ThrowExactly<ArgumentNullException>();
        FluentActions.Invoking(() => NQuads.Parse(null!)).Should().ThrowExactly<ArgumentNullException>();
        FluentActions.Invoking(() => NQuads.Serialize(null!)).Should().ThrowExactly<ArgumentNullException>();
    }
}
