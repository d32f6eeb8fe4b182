// SVG baking, OB 3.0 §"Baked Badge" (BAKE-5..7).
//
// Bake: xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" on the root <svg>, and directly after
// its start tag one <openbadges:credential> with the JSON in CDATA ("]]>" split as
// "]]]]><![CDATA[>") or, for a compact JWS, an empty element with verify="<JWS>". The rest of the
// document is kept character for character: the document is first parsed with XmlReader (which
// also finds the root and any existing credential elements by namespace), the reader's line/column
// positions are mapped to string offsets and checked against the text, and the edits are spliced in.
//
// Security: DTD processing is limited to reading the DOCTYPE; no resolver, so an external DTD is
// never fetched. A DOCTYPE that only names an external DTD (as the 1EdTech fixtures and most editor
// exports do) is allowed; a DOCTYPE with an internal subset (entity or other declarations) is refused
// with DtdNotAllowed before any content is read, and undeclared entity references fail as bad XML.
//
// Only UTF-8 documents (with or without BOM) are accepted. XML end-of-line handling turns CR LF and
// lone CR into LF inside CDATA, so a JSON payload's insignificant CR whitespace is not preserved;
// leading and trailing XML whitespace around the element body is trimmed on unbake.
using System.Text;
using System.Xml;

namespace BadgeIssuer.Core.Baking;

internal static class SvgBaking
{
    public const string OpenBadgesNamespace = "https://purl.imsglobal.org/ob/v3p0";
    public const string SvgNamespace = "http://www.w3.org/2000/svg";
    private const string Prefix = "openbadges";
    private const string LocalName = "credential";

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    // True for input that may be XML: optional UTF-8 BOM, optional whitespace, then '<'.
    public static bool LooksLikeXml(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith(Utf8Bom))
        {
            data = data[3..];
        }

        data = data.TrimStart(" \t\r\n"u8);
        return !data.IsEmpty && data[0] == (byte)'<';
    }

    public static string Unbake(ReadOnlySpan<byte> svg)
    {
        string text = Decode(svg, out _);
        Scan scan = ScanDocument(text);
        if (scan.Credentials.Count > 1)
        {
            // BAKE-6: at most one; as for PNG, two credentials in one image is ambiguous, so neither is trusted.
            throw new BakingException(BakingErrorReason.DuplicateCredential, "The SVG carries more than one openbadges:credential element.", scan.Credentials[1].Start);
        }

        return scan.Payload switch
        {
            null => throw new BakingException(BakingErrorReason.CredentialNotFound, "The SVG has no openbadges:credential element in namespace " + OpenBadgesNamespace + "."),
            { Length: 0 } => throw new BakingException(BakingErrorReason.MalformedCredentialElement, "The openbadges:credential element has neither a verify attribute nor a body.", scan.Credentials[0].Start),
            string payload => payload,
        };
    }

    public static byte[] Bake(ReadOnlySpan<byte> svg, string payload, PayloadKind kind, ExistingCredentialHandling existing)
    {
        string text = Decode(svg, out bool bom);
        Scan scan = ScanDocument(text);
        if (scan.Credentials.Count > 0 && existing == ExistingCredentialHandling.Throw)
        {
            throw new BakingException(BakingErrorReason.CredentialAlreadyPresent, "The SVG already carries an openbadges:credential element.", scan.Credentials[0].Start);
        }

        if (scan.PrefixBinding is string bound && bound != OpenBadgesNamespace)
        {
            throw new BakingException(BakingErrorReason.NamespacePrefixConflict, $"The prefix '{Prefix}' is bound to '{bound}' on the root element.", scan.RootTagClose);
        }

        string element = BuildElement(payload, kind);
        string namespaceDeclaration = scan.PrefixBinding is not null ? string.Empty : " xmlns:" + Prefix + "=\"" + OpenBadgesNamespace + "\"";

        var result = new StringBuilder(text.Length + element.Length + 64);
        int copied = 0;

        // Root start tag: declaration before its '>' (or '/>'), credential right after it.
        result.Append(text, 0, scan.RootTagClose);
        result.Append(namespaceDeclaration);
        if (scan.RootSelfClosing)
        {
            result.Append('>').Append(element).Append("</").Append(scan.RootName).Append('>');
            copied = scan.RootTagClose + 2;
        }
        else
        {
            result.Append('>').Append(element);
            copied = scan.RootTagClose + 1;
        }

        // Existing credential elements (all inside the root) are dropped.
        foreach ((int start, int end) in scan.Credentials)
        {
            result.Append(text, copied, start - copied);
            copied = end;
        }

        result.Append(text, copied, text.Length - copied);

        string baked = result.ToString();
        int length = (bom ? 3 : 0) + Encoding.UTF8.GetByteCount(baked);
        byte[] output = new byte[length];
        if (bom)
        {
            Utf8Bom.CopyTo(output);
        }

        Encoding.UTF8.GetBytes(baked, output.AsSpan(bom ? 3 : 0));
        return output;
    }

    private static string BuildElement(string payload, PayloadKind kind)
    {
        if (kind == PayloadKind.CompactJws)
        {
            // Base64url and dots only (checked by BakingPayload), so nothing needs escaping.
            return "<" + Prefix + ":" + LocalName + " verify=\"" + payload + "\"></" + Prefix + ":" + LocalName + ">";
        }

        try
        {
            XmlConvert.VerifyXmlChars(payload);
        }
        catch (XmlException ex)
        {
            throw new BakingException(BakingErrorReason.InvalidPayload, "The payload holds characters XML 1.0 cannot carry.", null, ex);
        }

        return "<" + Prefix + ":" + LocalName + "><![CDATA["
            + payload.Replace("]]>", "]]]]><![CDATA[>", StringComparison.Ordinal)
            + "]]></" + Prefix + ":" + LocalName + ">";
    }

    private static string Decode(ReadOnlySpan<byte> svg, out bool bom)
    {
        if (svg.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) || svg.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            throw new BakingException(BakingErrorReason.UnsupportedEncoding, "UTF-16 SVG documents are not supported; use UTF-8.", 0);
        }

        bom = svg.StartsWith(Utf8Bom);
        try
        {
            return BakingPayload.StrictUtf8.GetString(bom ? svg[3..] : svg);
        }
        catch (DecoderFallbackException ex)
        {
            throw new BakingException(BakingErrorReason.UnsupportedEncoding, "The SVG is not valid UTF-8.", null, ex);
        }
    }

    private sealed class Scan
    {
        public string RootName { get; set; } = "svg";

        // Offset of the '>' (or the '/' of '/>') that closes the root start tag.
        public int RootTagClose { get; set; }

        public bool RootSelfClosing { get; set; }

        // What the root binds the prefix "openbadges" to, if anything.
        public string? PrefixBinding { get; set; }

        public List<(int Start, int End)> Credentials { get; } = [];

        public string? Payload { get; set; }
    }

    private static Scan ScanDocument(string text)
    {
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Parse,
            XmlResolver = null,
            MaxCharactersFromEntities = 1024,
            MaxCharactersInDocument = BakedBadge.MaxImageBytes,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
            CloseInput = true,
        };

        var scan = new Scan();
        var lines = new LineMap(text);
        bool rootSeen = false;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            var info = (IXmlLineInfo)reader;
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.DocumentType:
                        if (!string.IsNullOrWhiteSpace(reader.Value))
                        {
                            throw new BakingException(BakingErrorReason.DtdNotAllowed, "The SVG DOCTYPE has an internal subset; DTD declarations and entities are not allowed.");
                        }

                        break;
                    case XmlNodeType.Element when !rootSeen:
                        rootSeen = true;
                        ReadRoot(reader, info, text, lines, scan);
                        break;
                    case XmlNodeType.Element when reader.LocalName == LocalName && reader.NamespaceURI == OpenBadgesNamespace:
                        ReadCredential(reader, info, text, lines, scan);
                        break;
                }
            }
        }
        catch (XmlException ex)
        {
            throw new BakingException(BakingErrorReason.InvalidXml, $"The SVG is not well-formed XML: {ex.Message}", null, ex);
        }

        if (!rootSeen)
        {
            throw new BakingException(BakingErrorReason.MissingSvgRoot, "The document has no root element.");
        }

        return scan;
    }

    private static void ReadRoot(XmlReader reader, IXmlLineInfo info, string text, LineMap lines, Scan scan)
    {
        if (reader.LocalName != "svg" || (reader.NamespaceURI.Length != 0 && reader.NamespaceURI != SvgNamespace))
        {
            throw new BakingException(BakingErrorReason.MissingSvgRoot, $"The root element is '{reader.Name}' in namespace '{reader.NamespaceURI}', not svg.");
        }

        scan.PrefixBinding = reader.LookupNamespace(Prefix);
        scan.RootName = reader.Name;
        int open = StartTagOffset(reader, info, text, lines);
        int close = FindTagClose(text, open);
        scan.RootSelfClosing = text[close - 1] == '/';
        scan.RootTagClose = scan.RootSelfClosing ? close - 1 : close;
    }

    private static void ReadCredential(XmlReader reader, IXmlLineInfo info, string text, LineMap lines, Scan scan)
    {
        int start = StartTagOffset(reader, info, text, lines);
        bool first = scan.Payload is null && scan.Credentials.Count == 0;
        string? verify = reader.GetAttribute("verify");
        if (reader.IsEmptyElement)
        {
            scan.Credentials.Add((start, FindTagClose(text, start) + 1));
            if (first)
            {
                scan.Payload = verify ?? string.Empty;
            }

            return;
        }

        var body = new StringBuilder();
        int depth = reader.Depth;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    body.Append(reader.Value);
                    break;
                case XmlNodeType.Element:
                    throw new BakingException(BakingErrorReason.MalformedCredentialElement, "The openbadges:credential element has child elements.", start);
                case XmlNodeType.EndElement when reader.Depth == depth:
                    int nameStart = lines.ToOffset(info);
                    if (nameStart < 2 || !text.AsSpan(nameStart - 2).StartsWith("</" + reader.Name, StringComparison.Ordinal))
                    {
                        throw new BakingException(BakingErrorReason.InvalidXml, "Could not locate the end of the openbadges:credential element.", nameStart);
                    }

                    scan.Credentials.Add((start, text.IndexOf('>', nameStart) + 1));
                    if (first)
                    {
                        scan.Payload = verify ?? body.ToString().Trim(s_xmlWhitespace);
                    }

                    return;
            }
        }
    }

    private static readonly char[] s_xmlWhitespace = [' ', '\t', '\r', '\n'];

    // Offset of the '<' of the element the reader is on, checked against the text.
    private static int StartTagOffset(XmlReader reader, IXmlLineInfo info, string text, LineMap lines)
    {
        int nameStart = lines.ToOffset(info);
        string name = reader.Name;
        if (nameStart < 1 || text[nameStart - 1] != '<' || !text.AsSpan(nameStart).StartsWith(name, StringComparison.Ordinal))
        {
            throw new BakingException(BakingErrorReason.InvalidXml, $"Could not locate the start tag of '{name}'.", nameStart);
        }

        return nameStart - 1;
    }

    // From a '<', the offset of the '>' that ends the tag, skipping quoted attribute values.
    private static int FindTagClose(string text, int open)
    {
        char quote = '\0';
        for (int i = open + 1; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return i;
            }
        }

        throw new BakingException(BakingErrorReason.InvalidXml, "Unterminated start tag.", open);
    }

    // Maps XmlReader line/position (1-based, UTF-16 units; CR LF, CR and LF each end a line) to string offsets.
    private sealed class LineMap
    {
        private readonly List<int> _starts = [0];

        public LineMap(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
                {
                    _starts.Add(i + 1);
                }
            }
        }

        public int ToOffset(IXmlLineInfo info)
        {
            int line = info.LineNumber;
            return line >= 1 && line <= _starts.Count ? _starts[line - 1] + info.LinePosition - 1 : -1;
        }
    }
}
