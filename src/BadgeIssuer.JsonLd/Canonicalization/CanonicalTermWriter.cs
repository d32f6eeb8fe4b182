using System.Buffers;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>Writes terms in canonical N-Quads form straight into a <see cref="CharBuffer"/> (no intermediate strings).</summary>
internal static class CanonicalTermWriter
{
    private const string Hex = "0123456789ABCDEF";

    /// <summary>The characters a canonical literal escapes: U+0000–U+001F, <c>"</c>, <c>\</c> and U+007F.</summary>
    internal static readonly SearchValues<char> s_literalEscapes = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F" +
        "\"\\\u007F");

    public static void Append(CharBuffer buffer, RdfTerm term)
    {
        switch (term.Kind)
        {
            case RdfTermKind.Iri:
                buffer.Append('<');
                buffer.Append(term.Value);
                buffer.Append('>');
                break;
            case RdfTermKind.BlankNode:
                buffer.Append("_:");
                buffer.Append(term.Value);
                break;
            case RdfTermKind.Literal:
                buffer.Append('"');
                AppendEscaped(buffer, term.Value);
                buffer.Append('"');
                if (term.Language is not null)
                {
                    buffer.Append('@');
                    buffer.Append(term.Language);
                }
                else if (term.Datatype is not null && !string.Equals(term.Datatype, RdfTerm.XsdString, StringComparison.Ordinal))
                {
                    buffer.Append("^^<");
                    buffer.Append(term.Datatype);
                    buffer.Append('>');
                }

                break;
            default:
                break;
        }
    }

    private static void AppendEscaped(CharBuffer buffer, string value)
    {
        ReadOnlySpan<char> rest = value;
        while (true)
        {
            int i = rest.IndexOfAny(s_literalEscapes);
            if (i < 0)
            {
                buffer.Append(rest);
                return;
            }

            buffer.Append(rest[..i]);
            char c = rest[i];
            rest = rest[(i + 1)..];
            switch (c)
            {
                case '"':
                    buffer.Append("\\\"");
                    break;
                case '\\':
                    buffer.Append("\\\\");
                    break;
                case '\n':
                    buffer.Append("\\n");
                    break;
                case '\r':
                    buffer.Append("\\r");
                    break;
                case '\t':
                    buffer.Append("\\t");
                    break;
                case '\b':
                    buffer.Append("\\b");
                    break;
                case '\f':
                    buffer.Append("\\f");
                    break;
                default:
                    buffer.Append("\\u00");
                    buffer.Append(Hex[c >> 4]);
                    buffer.Append(Hex[c & 0xF]);
                    break;
            }
        }
    }
}
