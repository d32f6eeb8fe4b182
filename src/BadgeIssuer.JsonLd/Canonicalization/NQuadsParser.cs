using System.Globalization;
using System.Text;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>
/// A strict RDF 1.1 N-Quads parser (one statement per line, <c>#</c> comments, <c>\u</c>/<c>\U</c> escapes in IRIs and
/// literals, ECHARs in literals). Errors are <see cref="FormatException"/>s naming the 1-based line and column.
/// </summary>
internal sealed class NQuadsParser
{
    private readonly string _text;
    private readonly StringBuilder _buffer = new();
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private readonly bool _generalized;

    public NQuadsParser(string text, bool allowBlankNodePredicates = false)
    {
        _text = text;
        _generalized = allowBlankNodePredicates;
    }

    public void ParseInto(RdfDataset dataset)
    {
        while (true)
        {
            SkipSpaceAndComment();
            if (_pos >= _text.Length)
            {
                return;
            }

            if (IsEol(_text[_pos]))
            {
                ConsumeEol();
                continue;
            }

            dataset.Add(ParseStatement());
            SkipSpaceAndComment();
            if (_pos < _text.Length)
            {
                if (!IsEol(_text[_pos]))
                {
                    throw Error("expected end of line after '.'");
                }

                ConsumeEol();
            }
        }
    }

    private RdfQuad ParseStatement()
    {
        RdfTerm subject = ParseSubjectOrGraph("subject");
        SkipSpace();
        RdfTerm predicate;
        if (Peek() == '<')
        {
            predicate = RdfTerm.Iri(ParseIri());
        }
        else if (_generalized && Peek() == '_')
        {
            predicate = RdfTerm.BlankNode(ParseBlankNodeLabel());
        }
        else
        {
            throw Error("expected an IRI as predicate");
        }
        SkipSpace();
        RdfTerm obj = Peek() switch
        {
            '<' => RdfTerm.Iri(ParseIri()),
            '_' => RdfTerm.BlankNode(ParseBlankNodeLabel()),
            '"' => ParseLiteral(),
            _ => throw Error("expected an IRI, a blank node or a literal as object"),
        };
        SkipSpace();
        RdfTerm graph = RdfTerm.DefaultGraph;
        if (Peek() is '<' or '_')
        {
            graph = ParseSubjectOrGraph("graph label");
            SkipSpace();
        }

        if (Peek() != '.')
        {
            throw Error("expected '.' at the end of the statement");
        }

        _pos++;
        return new RdfQuad(subject, predicate, obj, graph);
    }

    private RdfTerm ParseSubjectOrGraph(string what)
    {
        return Peek() switch
        {
            '<' => RdfTerm.Iri(ParseIri()),
            '_' => RdfTerm.BlankNode(ParseBlankNodeLabel()),
            _ => throw Error($"expected an IRI or a blank node as {what}"),
        };
    }

    private string ParseIri()
    {
        int start = _pos;
        _pos++; // '<'
        _buffer.Clear();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated IRI", start);
            }

            char c = _text[_pos];
            if (c == '>')
            {
                _pos++;
                break;
            }

            if (c == '\\')
            {
                if (_pos + 1 >= _text.Length || (_text[_pos + 1] != 'u' && _text[_pos + 1] != 'U'))
                {
                    throw Error("only \\u and \\U escapes are allowed in an IRI");
                }

                AppendUchar();
                continue;
            }

            if (c <= ' ' || c is '<' or '"' or '{' or '}' or '|' or '^' or '`')
            {
                throw Error($"character U+{(int)c:X4} is not allowed in an IRI");
            }

            _buffer.Append(c);
            _pos++;
        }

        string iri = _buffer.ToString();
        if (!HasScheme(iri))
        {
            throw Error($"IRI <{iri}> is not absolute", start);
        }

        return iri;
    }

    private static bool HasScheme(string iri)
    {
        if (iri.Length == 0 || !char.IsAsciiLetter(iri[0]))
        {
            return false;
        }

        for (int i = 1; i < iri.Length; i++)
        {
            char c = iri[i];
            if (c == ':')
            {
                return true;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return false;
    }

    private string ParseBlankNodeLabel()
    {
        int start = _pos;
        if (_pos + 1 >= _text.Length || _text[_pos + 1] != ':')
        {
            throw Error("expected '_:' to start a blank node label");
        }

        _pos += 2;
        int labelStart = _pos;
        int lastEnd = _pos;
        bool first = true;
        while (_pos < _text.Length)
        {
            int cp = _text[_pos];
            int width = 1;
            if (char.IsHighSurrogate((char)cp) && _pos + 1 < _text.Length && char.IsLowSurrogate(_text[_pos + 1]))
            {
                cp = char.ConvertToUtf32(_text[_pos], _text[_pos + 1]);
                width = 2;
            }

            bool ok = first ? IsPnCharsU(cp) || (cp >= '0' && cp <= '9') : IsPnChars(cp) || cp == '.';
            if (!ok)
            {
                break;
            }

            _pos += width;
            if (cp != '.')
            {
                lastEnd = _pos;
            }

            first = false;
        }

        if (lastEnd == labelStart)
        {
            throw Error("empty or invalid blank node label", start);
        }

        // A label cannot end with '.': the trailing dots belong to the statement.
        _pos = lastEnd;
        return _text.Substring(labelStart, lastEnd - labelStart);
    }

    private RdfTerm ParseLiteral()
    {
        int start = _pos;
        _pos++; // '"'
        _buffer.Clear();
        while (true)
        {
            if (_pos >= _text.Length)
            {
                throw Error("unterminated string literal", start);
            }

            char c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                break;
            }

            if (c is '\n' or '\r')
            {
                throw Error("unterminated string literal (line break inside)", start);
            }

            if (c == '\\')
            {
                if (_pos + 1 >= _text.Length)
                {
                    throw Error("incomplete escape sequence");
                }

                char e = _text[_pos + 1];
                char? echar = e switch
                {
                    't' => '\t',
                    'b' => '\b',
                    'n' => '\n',
                    'r' => '\r',
                    'f' => '\f',
                    '"' => '"',
                    '\'' => '\'',
                    '\\' => '\\',
                    _ => null,
                };
                if (echar is char decoded)
                {
                    _buffer.Append(decoded);
                    _pos += 2;
                    continue;
                }

                if (e is 'u' or 'U')
                {
                    AppendUchar();
                    continue;
                }

                throw Error($"invalid escape sequence '\\{e}'");
            }

            _buffer.Append(c);
            _pos++;
        }

        string lexical = _buffer.ToString();
        if (Peek() == '@')
        {
            return RdfTerm.Literal(lexical, language: ParseLanguageTag());
        }

        if (Peek() == '^')
        {
            if (_pos + 2 >= _text.Length || _text[_pos + 1] != '^' || _text[_pos + 2] != '<')
            {
                throw Error("expected '^^<' before a datatype IRI");
            }

            _pos += 2;
            return RdfTerm.Literal(lexical, ParseIri());
        }

        return RdfTerm.Literal(lexical);
    }

    private string ParseLanguageTag()
    {
        int start = ++_pos; // '@'
        int subtagLength = 0;
        bool primary = true;
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (char.IsAsciiLetter(c) || (!primary && char.IsAsciiDigit(c)))
            {
                subtagLength++;
            }
            else if (c == '-' && subtagLength > 0)
            {
                primary = false;
                subtagLength = 0;
            }
            else
            {
                break;
            }

            _pos++;
        }

        if (subtagLength == 0)
        {
            throw Error("invalid language tag", start - 1);
        }

        return _text.Substring(start, _pos - start);
    }

    private void AppendUchar()
    {
        int digits = _text[_pos + 1] == 'u' ? 4 : 8;
        if (_pos + 2 + digits > _text.Length)
        {
            throw Error("incomplete \\u or \\U escape");
        }

        ReadOnlySpan<char> hex = _text.AsSpan(_pos + 2, digits);
        foreach (char h in hex)
        {
            if (!char.IsAsciiHexDigit(h))
            {
                throw Error("invalid hex digit in \\u or \\U escape");
            }
        }

        // Eight hex digits can exceed int.MaxValue (\\UFFFFFFFF): parse unsigned, then range-check (found by fuzzing).
        uint value = uint.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        if (value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
        {
            throw Error($"escape \\{_text[_pos + 1]}{hex} is not a Unicode scalar value");
        }

        int cp = (int)value;
        if (cp < 0x10000)
        {
            _buffer.Append((char)cp);
        }
        else
        {
            _buffer.Append(char.ConvertFromUtf32(cp));
        }

        _pos += 2 + digits;
    }

    private static bool IsPnCharsBase(int c)
    {
        return (c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c >= 0x00C0 && c <= 0x00D6)
            || (c >= 0x00D8 && c <= 0x00F6)
            || (c >= 0x00F8 && c <= 0x02FF)
            || (c >= 0x0370 && c <= 0x037D)
            || (c >= 0x037F && c <= 0x1FFF)
            || (c >= 0x200C && c <= 0x200D)
            || (c >= 0x2070 && c <= 0x218F)
            || (c >= 0x2C00 && c <= 0x2FEF)
            || (c >= 0x3001 && c <= 0xD7FF)
            || (c >= 0xF900 && c <= 0xFDCF)
            || (c >= 0xFDF0 && c <= 0xFFFD)
            || (c >= 0x10000 && c <= 0xEFFFF);
    }

    private static bool IsPnCharsU(int c) => c == '_' || c == ':' || IsPnCharsBase(c);

    private static bool IsPnChars(int c)
    {
        return IsPnCharsU(c)
            || c == '-'
            || (c >= '0' && c <= '9')
            || c == 0x00B7
            || (c >= 0x0300 && c <= 0x036F)
            || (c >= 0x203F && c <= 0x2040);
    }

    private static bool IsEol(char c) => c is '\n' or '\r';

    private char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private void SkipSpace()
    {
        while (_pos < _text.Length && _text[_pos] is ' ' or '\t')
        {
            _pos++;
        }
    }

    private void SkipSpaceAndComment()
    {
        SkipSpace();
        if (_pos < _text.Length && _text[_pos] == '#')
        {
            while (_pos < _text.Length && !IsEol(_text[_pos]))
            {
                _pos++;
            }
        }
    }

    private void ConsumeEol()
    {
        // EOL ::= [#xD#xA]+ ; CR LF counts as one line break.
        while (_pos < _text.Length && IsEol(_text[_pos]))
        {
            if (_text[_pos] == '\r' && _pos + 1 < _text.Length && _text[_pos + 1] == '\n')
            {
                _pos++;
            }

            _pos++;
            _line++;
            _lineStart = _pos;
        }
    }

    private FormatException Error(string message) => Error(message, _pos);

    private FormatException Error(string message, int position)
    {
        int column = position - _lineStart + 1;
        return new FormatException(string.Create(
            CultureInfo.InvariantCulture,
            $"N-Quads syntax error at line {_line}, column {column}: {message}."));
    }
}
