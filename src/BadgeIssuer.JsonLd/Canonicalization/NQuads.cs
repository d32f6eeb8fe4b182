using System.Globalization;
using System.Text;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>N-Quads (RDF 1.1) parsing and canonical serialization (RDFC-1.0 / N-Quads canonical form).</summary>
/// <remarks>
/// Canonical form: terms separated by one space, <c>" .\n"</c> after each quad, IRIs written verbatim, the
/// default graph omitted, <c>xsd:string</c> literals without a datatype, language-tagged literals as
/// <c>"lex"@tag</c>. In literals <c>\ " LF CR</c> and the other control characters U+0000–U+001F and U+007F
/// are escaped: with the ECHAR <c>\b \t \n \f \r \" \\</c> where one exists, otherwise as <c>\uXXXX</c>
/// with upper-case hex. Nothing else is escaped.
/// </remarks>
public static class NQuads
{
    /// <summary>Serializes one term in canonical N-Quads form (<c>&lt;iri&gt;</c>, <c>_:label</c>, <c>"lex"^^&lt;dt&gt;</c>, <c>"lex"@lang</c>).</summary>
    public static string SerializeTerm(RdfTerm term)
    {
        var builder = new StringBuilder(term.Value.Length + 8);
        AppendTerm(builder, term);
        return builder.ToString();
    }

    /// <summary>Serializes one quad as a canonical N-Quads line, including the final <c>\n</c>.</summary>
    public static string SerializeQuad(RdfQuad quad)
    {
        var builder = new StringBuilder(128);
        AppendQuad(builder, quad);
        return builder.ToString();
    }

    /// <summary>Appends one quad as a canonical N-Quads line, including the final <c>\n</c>.</summary>
    public static void AppendQuad(StringBuilder builder, RdfQuad quad)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AppendNode(builder, quad.Subject, nameof(RdfQuad.Subject));
        builder.Append(' ');
        AppendNode(builder, quad.Predicate, nameof(RdfQuad.Predicate));
        builder.Append(' ');
        if (quad.Object.IsDefaultGraph)
        {
            throw new ArgumentException("The object of a quad cannot be the default graph.", nameof(quad));
        }

        AppendTerm(builder, quad.Object);
        if (!quad.Graph.IsDefaultGraph)
        {
            builder.Append(' ');
            AppendNode(builder, quad.Graph, nameof(RdfQuad.Graph));
        }

        builder.Append(" .\n");
    }

    /// <summary>Serializes the quads, one line each, in the given order.</summary>
    public static string Serialize(IEnumerable<RdfQuad> quads)
    {
        ArgumentNullException.ThrowIfNull(quads);
        var builder = new StringBuilder();
        foreach (RdfQuad quad in quads)
        {
            AppendQuad(builder, quad);
        }

        return builder.ToString();
    }

    /// <summary>Parses an N-Quads document; throws <see cref="FormatException"/> naming the line on a syntax error.</summary>
    public static RdfDataset Parse(string text) => Parse(text, allowBlankNodePredicates: false);

    /// <summary>Parses N-Quads; with <paramref name="allowBlankNodePredicates"/>, also generalized RDF (blank-node predicates).</summary>
    public static RdfDataset Parse(string text, bool allowBlankNodePredicates)
    {
        ArgumentNullException.ThrowIfNull(text);
        var dataset = new RdfDataset();
        new NQuadsParser(text, allowBlankNodePredicates).ParseInto(dataset);
        return dataset;
    }

    /// <summary>Appends a term in canonical form (the default graph appends nothing).</summary>
    internal static void AppendTerm(StringBuilder builder, RdfTerm term)
    {
        switch (term.Kind)
        {
            case RdfTermKind.Iri:
                builder.Append('<').Append(term.Value).Append('>');
                break;
            case RdfTermKind.BlankNode:
                builder.Append("_:").Append(term.Value);
                break;
            case RdfTermKind.Literal:
                builder.Append('"');
                AppendEscapedLiteral(builder, term.Value);
                builder.Append('"');
                if (term.Language is not null)
                {
                    builder.Append('@').Append(term.Language);
                }
                else if (term.Datatype is not null && !string.Equals(term.Datatype, RdfTerm.XsdString, StringComparison.Ordinal))
                {
                    builder.Append("^^<").Append(term.Datatype).Append('>');
                }

                break;
            case RdfTermKind.DefaultGraph:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(term), term.Kind, "Unknown RDF term kind.");
        }
    }

    private static void AppendNode(StringBuilder builder, RdfTerm term, string position)
    {
        if (term.Kind is not (RdfTermKind.Iri or RdfTermKind.BlankNode))
        {
            throw new ArgumentException($"The {position} of a quad must be an IRI or a blank node, not {term.Kind}.", nameof(term));
        }

        AppendTerm(builder, term);
    }

    /// <summary>Appends a literal's lexical form with the canonical N-Quads escapes.</summary>
    internal static void AppendEscapedLiteral(StringBuilder builder, string value)
    {
        ReadOnlySpan<char> rest = value;
        while (true)
        {
            int i = rest.IndexOfAny(CanonicalTermWriter.s_literalEscapes);
            if (i < 0)
            {
                builder.Append(rest);
                return;
            }

            builder.Append(rest[..i]);
            char c = rest[i];
            rest = rest[(i + 1)..];
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                default:
                    builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
            }
        }
    }
}
