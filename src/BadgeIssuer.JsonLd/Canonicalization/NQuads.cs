using System.Text;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>N-Quads (RDF 1.1) parsing and canonical serialization (RDFC-1.0 / N-Quads canonical form).</summary>
public static class NQuads
{
    /// <summary>Serializes one term in canonical N-Quads form (<c>&lt;iri&gt;</c>, <c>_:label</c>, <c>"lex"^^&lt;dt&gt;</c>, <c>"lex"@lang</c>).</summary>
    public static string SerializeTerm(RdfTerm term) => throw new NotImplementedException();

    /// <summary>Serializes one quad as a canonical N-Quads line, including the final <c>\n</c>.</summary>
    public static string SerializeQuad(RdfQuad quad) => throw new NotImplementedException();

    /// <summary>Appends one quad as a canonical N-Quads line, including the final <c>\n</c>.</summary>
    public static void AppendQuad(StringBuilder builder, RdfQuad quad) => throw new NotImplementedException();

    /// <summary>Serializes the quads, one line each, in the given order.</summary>
    public static string Serialize(IEnumerable<RdfQuad> quads) => throw new NotImplementedException();

    /// <summary>Parses an N-Quads document; throws <see cref="FormatException"/> naming the line on a syntax error.</summary>
    public static RdfDataset Parse(string text) => throw new NotImplementedException();
}
