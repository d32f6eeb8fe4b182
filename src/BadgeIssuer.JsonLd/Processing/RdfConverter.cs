using System.Buffers;
using System.Text.Json;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// JSON-LD 1.1 Node Map Generation (§7.2) + Deserialize JSON-LD to RDF (§8.1, with Object to RDF Conversion, §8.2,
/// and List to RDF Conversion, §8.3).
/// </summary>
internal sealed class RdfConverter
{
    private const string RdfNs = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private const string XsdNs = "http://www.w3.org/2001/XMLSchema#";
    private const string XsdBoolean = XsdNs + "boolean";
    private const string XsdDouble = XsdNs + "double";
    private const string XsdInteger = XsdNs + "integer";
    private const string RdfJson = RdfNs + "JSON";
    private const string I18nNs = "https://www.w3.org/ns/i18n#";

    private static readonly RdfTerm s_rdfType = RdfTerm.Iri(RdfNs + "type");
    private static readonly RdfTerm s_rdfFirst = RdfTerm.Iri(RdfNs + "first");
    private static readonly RdfTerm s_rdfRest = RdfTerm.Iri(RdfNs + "rest");
    private static readonly RdfTerm s_rdfNil = RdfTerm.Iri(RdfNs + "nil");
    private static readonly RdfTerm s_rdfValue = RdfTerm.Iri(RdfNs + "value");
    private static readonly RdfTerm s_rdfLanguage = RdfTerm.Iri(RdfNs + "language");
    private static readonly RdfTerm s_rdfDirection = RdfTerm.Iri(RdfNs + "direction");

    /// <summary>Characters an IRI cannot contain (controls, space and <c>&lt;&gt;"{}|\^`</c>, as excluded from N-Quads IRIREF).</summary>
    private static readonly SearchValues<char> s_forbiddenIriChars = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F"
        + " <>\"{}|\\^`");

    private readonly RdfDataset _dataset;
    private readonly BlankNodeIdentifierGenerator _issuer;
    private readonly RdfDirection _rdfDirection;
    private readonly bool _produceGeneralizedRdf;
    private readonly bool _safeMode;
    private readonly List<RdfTerm> _emitted = new(8);

    // Past a few objects for one subject and predicate, _emitted is also hashed: a scan per object is quadratic.
    private const int EmittedIndexFrom = 16;
    private readonly HashSet<RdfTerm> _emittedIndex = [];
    private RdfTerm _graph;
    private readonly JsonLdJsNumbers _jsNumbers;

    private RdfConverter(BlankNodeIdentifierGenerator issuer, JsonLdOptions options)
    {
        _dataset = new RdfDataset(32);
        _issuer = issuer;
        _rdfDirection = options.RdfDirection;
        _produceGeneralizedRdf = options.ProduceGeneralizedRdf;
        _safeMode = options.SafeMode;
        _jsNumbers = options.JsonLdJsNumbers;
        _graph = RdfTerm.DefaultGraph;
    }

    /// <summary>Converts an expanded document (the <see cref="ExpandedJson"/> model) into an RDF dataset.</summary>
    public static RdfDataset ToRdf(List<object?> expanded, JsonLdOptions options)
    {
        ArgumentNullException.ThrowIfNull(expanded);
        ArgumentNullException.ThrowIfNull(options);

        // The node map (§7.2, the input of §8.1.2); the same generator labels list and compound-literal nodes afterwards.
        var issuer = new BlankNodeIdentifierGenerator();
        NodeMap nodeMap = NodeMap.Create(expanded, issuer);
        var converter = new RdfConverter(issuer, options);

        // §8.1.2 step 1: for each graph, ordered by graph name.
        Dictionary<string, Dictionary<string, NodeMapNode>> graphs = nodeMap.Graphs;
        if (graphs.Count == 1)
        {
            converter.ConvertGraph(graphs[NodeMap.DefaultGraphName]);
            return converter._dataset;
        }

        string[] graphNames = SortedKeys(graphs);
        foreach (string graphName in graphNames)
        {
            // §8.1.2 step 1.1: skip graph names that are not well-formed.
            if (string.Equals(graphName, NodeMap.DefaultGraphName, StringComparison.Ordinal))
            {
                converter._graph = RdfTerm.DefaultGraph;
            }
            else if (BlankNodeIdentifierGenerator.IsBlankNode(graphName))
            {
                converter._graph = RdfTerm.BlankNode(BlankNodeIdentifierGenerator.LabelOf(graphName));
            }
            else if (IsWellFormedIri(graphName))
            {
                converter._graph = RdfTerm.Iri(graphName);
            }
            else
            {
                converter.Dropped(JsonLdErrorCode.SafeModeRelativeId, $"relative graph reference: {graphName}");
                continue;
            }

            converter.ConvertGraph(graphs[graphName]);
        }

        return converter._dataset;
    }

    /// <summary>Whether <paramref name="value"/> is a well-formed absolute IRI: a scheme, <c>:</c>, and no character N-Quads cannot carry.</summary>
    internal static bool IsWellFormedIri(string value)
    {
        if (value.Length < 2 || !char.IsAsciiLetter(value[0]))
        {
            return false;
        }

        int i = 1;
        while (i < value.Length)
        {
            char c = value[i];
            if (c == ':')
            {
                break;
            }

            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '-' && c != '.')
            {
                return false;
            }

            i++;
        }

        if (i == value.Length)
        {
            return false;
        }

        ReadOnlySpan<char> rest = value.AsSpan(i + 1);
        if (rest.ContainsAny(s_forbiddenIriChars))
        {
            return false;
        }

        // RFC 3987: a fragment cannot contain '#', so an IRI has at most one.
        int hash = rest.IndexOf('#');
        return hash < 0 || rest[(hash + 1)..].IndexOf('#') < 0;
    }

    /// <summary>Whether <paramref name="value"/> is a well-formed BCP 47 tag in the sense of <c>[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*</c>.</summary>
    internal static bool IsWellFormedLanguageTag(string value)
    {
        int subtagLength = 0;
        bool firstSubtag = true;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '-')
            {
                if (subtagLength == 0)
                {
                    return false;
                }

                firstSubtag = false;
                subtagLength = 0;
                continue;
            }

            if (firstSubtag ? !char.IsAsciiLetter(c) : !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }

            if (++subtagLength > 8)
            {
                return false;
            }
        }

        return subtagLength > 0;
    }

    /// <summary>Records that data is being dropped: an error in safe mode, otherwise nothing (the spec drops silently).</summary>
    private void Dropped(JsonLdErrorCode code, string message)
    {
        if (_safeMode)
        {
            throw new JsonLdException(code, message);
        }
    }

    private static string[] SortedKeys<TValue>(Dictionary<string, TValue> map)
    {
        var keys = new string[map.Count];
        map.Keys.CopyTo(keys, 0);
        if (keys.Length > 1)
        {
            Array.Sort(keys, StringComparer.Ordinal);
        }

        return keys;
    }

    private static RdfTerm? NodeTerm(string id)
    {
        if (BlankNodeIdentifierGenerator.IsBlankNode(id))
        {
            return RdfTerm.BlankNode(BlankNodeIdentifierGenerator.LabelOf(id));
        }

        return IsWellFormedIri(id) ? RdfTerm.Iri(id) : null;
    }

    /// <summary>
    /// Emits a triple of the current graph. Triples with different subject or predicate are distinct by construction
    /// (node ids are unique per graph; list and compound-literal nodes are fresh), so duplicates can only repeat an
    /// object of the same subject and predicate: <see cref="_emitted"/> holds the objects emitted for the current pair.
    /// </summary>
    private void Add(RdfTerm subject, RdfTerm predicate, RdfTerm @object)
    {
        if (_emitted.Count >= EmittedIndexFrom)
        {
            if (!_emittedIndex.Add(@object))
            {
                return;
            }
        }
        else
        {
            foreach (RdfTerm seen in _emitted)
            {
                if (seen.Equals(@object))
                {
                    return;
                }
            }

            if (_emitted.Count == EmittedIndexFrom - 1)
            {
                _emittedIndex.UnionWith(_emitted);
                _emittedIndex.Add(@object);
            }
        }

        _emitted.Add(@object);
        _dataset.AddDistinct(new RdfQuad(subject, predicate, @object, _graph));
    }

    private void AddAll(List<RdfQuad>? triples)
    {
        if (triples is null)
        {
            return;
        }

        for (int i = 0; i < triples.Count; i++)
        {
            _dataset.AddDistinct(triples[i]);
        }
    }

    /// <summary>Deserialize JSON-LD to RDF (§8.1.2) step 1.3: the triples of one graph, subjects and properties in order.</summary>
    private void ConvertGraph(Dictionary<string, NodeMapNode> graph)
    {
        string[] subjects = SortedKeys(graph);
        string[]? propertyBuffer = null;
        foreach (string subjectId in subjects)
        {
            // §8.1.2 step 1.3.1: subjects that are not well-formed are skipped.
            if (NodeTerm(subjectId) is not RdfTerm subject)
            {
                Dropped(JsonLdErrorCode.SafeModeRelativeId, $"relative subject reference: {subjectId}");
                continue;
            }

            NodeMapNode node = graph[subjectId];
            int count = node.Properties.Count + (node.Types is null ? 0 : 1);
            if (count == 0)
            {
                continue;
            }

            // §8.1.2 step 1.3.2: each property (with @type) in order.
            if (propertyBuffer is null || propertyBuffer.Length < count)
            {
                propertyBuffer = new string[Math.Max(count, 8)];
            }

            node.Properties.Keys.CopyTo(propertyBuffer, 0);
            if (node.Types is not null)
            {
                propertyBuffer[count - 1] = "@type";
            }

            if (count > 1)
            {
                Array.Sort(propertyBuffer, 0, count, StringComparer.Ordinal);
            }

            for (int p = 0; p < count; p++)
            {
                ConvertProperty(subject, node, propertyBuffer[p]);
            }

            Array.Clear(propertyBuffer, 0, count);
        }
    }

    // §8.1.2 steps 1.3.2.1-1.3.2.5: the triples of one property of a node — @type as rdf:type (1.3.2.1); other keywords
    // (1.3.2.2), blank node properties outside generalized RDF (1.3.2.3) and properties that are not well-formed
    // (1.3.2.4) are skipped; otherwise each value becomes an object, with any list triples (1.3.2.5).
    private void ConvertProperty(RdfTerm subject, NodeMapNode node, string property)
    {
        _emitted.Clear();
        _emittedIndex.Clear();
        if (string.Equals(property, "@type", StringComparison.Ordinal))
        {
            List<string> types = node.Types!;
            for (int i = 0; i < types.Count; i++)
            {
                if (NodeTerm(types[i]) is RdfTerm type)
                {
                    Add(subject, s_rdfType, type);
                }
                else
                {
                    Dropped(JsonLdErrorCode.SafeModeRelativeType, $"relative type reference: {types[i]}");
                }
            }

            return;
        }

        RdfTerm predicate;
        if (property.Length > 0 && property[0] == '@')
        {
            return;
        }
        else if (BlankNodeIdentifierGenerator.IsBlankNode(property))
        {
            if (!_produceGeneralizedRdf)
            {
                Dropped(JsonLdErrorCode.SafeModeDroppedValue, $"blank node predicate: {property}");
                return;
            }

            predicate = RdfTerm.BlankNode(BlankNodeIdentifierGenerator.LabelOf(property));
        }
        else if (IsWellFormedIri(property))
        {
            predicate = RdfTerm.Iri(property);
        }
        else
        {
            Dropped(JsonLdErrorCode.SafeModeUndefinedTerm, $"relative predicate reference: {property}");
            return;
        }

        // §8.1.2 steps 1.3.2.5.1-1.3.2.5.3.
        List<object?> values = node.Properties[property];
        for (int i = 0; i < values.Count; i++)
        {
            List<RdfQuad>? listTriples = null;
            if (ObjectToRdf(values[i], ref listTriples) is RdfTerm @object)
            {
                Add(subject, predicate, @object);
            }

            AddAll(listTriples);
        }
    }

    /// <summary>Object to RDF Conversion (§8.2.2); null means the item is skipped.</summary>
    private RdfTerm? ObjectToRdf(object? item, ref List<RdfQuad>? listTriples)
    {
        switch (item)
        {
            case NodeReference reference:
                // 1-2
                RdfTerm? term = NodeTerm(reference.Id);
                if (term is null)
                {
                    Dropped(JsonLdErrorCode.SafeModeRelativeId, $"relative object reference: {reference.Id}");
                }

                return term;
            case ListObject list:
                // 3
                return ListToRdf(list.Items, ref listTriples);
            case Dictionary<string, object?> valueObject:
                return ValueToRdf(valueObject, ref listTriples);
            default:
                return null;
        }
    }

    /// <summary>Object to RDF Conversion (§8.2.2) steps 4-15 for a value object.</summary>
    private RdfTerm? ValueToRdf(Dictionary<string, object?> item, ref List<RdfQuad>? listTriples)
    {
        // 4-5
        item.TryGetValue("@value", out object? value);
        string? datatype = item.TryGetValue("@type", out object? typeValue) ? typeValue as string : null;

        // 6
        bool isJson = string.Equals(datatype, "@json", StringComparison.Ordinal);
        if (datatype is not null && !isJson && !IsWellFormedIri(datatype))
        {
            Dropped(JsonLdErrorCode.SafeModeRelativeType, $"invalid datatype IRI: {datatype}");
            return null;
        }

        // 7
        string? language = item.TryGetValue("@language", out object? languageValue) ? languageValue as string : null;
        if (language is not null && !IsWellFormedLanguageTag(language))
        {
            Dropped(JsonLdErrorCode.SafeModeInvalidLanguageTag, $"invalid language tag: {language}");
            return null;
        }

        string lexical;
        if (isJson)
        {
            // 8
            lexical = JsonCanonicalizer.Serialize(value);
            datatype = RdfJson;
        }
        else
        {
            switch (value)
            {
                case bool b:
                    // 9
                    lexical = b ? "true" : "false";
                    datatype ??= XsdBoolean;
                    break;
                case double d:
                    lexical = NumberLexicalForm(d, ref datatype);
                    break;
                case long l:
                    lexical = NumberLexicalForm(l, ref datatype);
                    break;
                case int n:
                    lexical = NumberLexicalForm(n, ref datatype);
                    break;
                case string s:
                    // 12
                    lexical = s;
                    datatype ??= language is null ? RdfTerm.XsdString : RdfTerm.RdfLangString;
                    break;
                case JsonElement { ValueKind: JsonValueKind.String } e:
                    lexical = e.GetString()!;
                    datatype ??= language is null ? RdfTerm.XsdString : RdfTerm.RdfLangString;
                    break;
                default:
                    return null;
            }
        }

        // 13
        if (_rdfDirection == RdfDirection.None && _safeMode && item.ContainsKey("@direction"))
        {
            Dropped(JsonLdErrorCode.SafeModeDroppedValue, "@direction would be dropped (rdfDirection not set)");
        }

        if (_rdfDirection != RdfDirection.None
            && item.TryGetValue("@direction", out object? directionValue)
            && directionValue is string direction)
        {
            string lowerLanguage = language is null ? string.Empty : language.ToLowerInvariant();
            if (_rdfDirection == RdfDirection.I18nDatatype)
            {
                return RdfTerm.Literal(lexical, string.Concat(I18nNs, lowerLanguage, "_", direction));
            }

            RdfTerm literal = RdfTerm.BlankNode(BlankNodeIdentifierGenerator.LabelOf(_issuer.Generate(null)));
            listTriples ??= new List<RdfQuad>(3);
            listTriples.Add(new RdfQuad(literal, s_rdfValue, RdfTerm.Literal(lexical), _graph));
            if (language is not null)
            {
                listTriples.Add(new RdfQuad(literal, s_rdfLanguage, RdfTerm.Literal(lowerLanguage), _graph));
            }

            listTriples.Add(new RdfQuad(literal, s_rdfDirection, RdfTerm.Literal(direction), _graph));
            return literal;
        }

        // 14-15
        return new RdfTerm(RdfTermKind.Literal, lexical, datatype, language);
    }

    /// <summary>Steps 10-11: xsd:double unless integral, below 10^21 and not explicitly typed xsd:double.</summary>
    private string NumberLexicalForm(double value, ref string? datatype)
    {
        bool typedDouble = string.Equals(datatype, XsdDouble, StringComparison.Ordinal);
        if (_jsNumbers != JsonLdJsNumbers.Specification && !typedDouble && NumberFormatting.IsIntegerToJsonLdJs(value))
        {
            if (_jsNumbers == JsonLdJsNumbers.Refuse)
            {
                string text = NumberFormatting.ToEcmaScriptString(value);
                throw new JsonLdException(JsonLdErrorCode.NumberNotPortable,
                    $"the number {text} is canonicalized as \"{NumberFormatting.ToXsdDouble(value)}\"^^xsd:double by the specification but as "
                    + $"\"{NumberFormatting.ToJsonLdJsInteger(value)}\"^^xsd:integer by jsonld.js, so a signature over it would not verify in jsonld.js-based verifiers; "
                    + JsonLdJsCompatibility.WhatToSend);
            }

            datatype ??= XsdInteger;
            return NumberFormatting.ToJsonLdJsInteger(value);
        }

        if (!double.IsInteger(value) || Math.Abs(value) >= 1e21 || typedDouble)
        {
            datatype ??= XsdDouble;
            return NumberFormatting.ToXsdDouble(value);
        }

        datatype ??= XsdInteger;
        return NumberFormatting.ToXsdInteger(value);
    }

    /// <summary>List to RDF Conversion (§8.3.2); the list triples go to <paramref name="listTriples"/>.</summary>
    private RdfTerm ListToRdf(List<object?> list, ref List<RdfQuad>? listTriples)
    {
        // 1
        if (list.Count == 0)
        {
            return s_rdfNil;
        }

        // 2
        var bnodes = new RdfTerm[list.Count];
        for (int i = 0; i < bnodes.Length; i++)
        {
            bnodes[i] = RdfTerm.BlankNode(BlankNodeIdentifierGenerator.LabelOf(_issuer.Generate(null)));
        }

        // 3
        listTriples ??= new List<RdfQuad>(list.Count * 2);
        for (int i = 0; i < bnodes.Length; i++)
        {
            RdfTerm subject = bnodes[i];
            List<RdfQuad>? embeddedTriples = null;
            if (ObjectToRdf(list[i], ref embeddedTriples) is RdfTerm @object)
            {
                listTriples.Add(new RdfQuad(subject, s_rdfFirst, @object, _graph));
            }

            RdfTerm rest = i + 1 < bnodes.Length ? bnodes[i + 1] : s_rdfNil;
            listTriples.Add(new RdfQuad(subject, s_rdfRest, rest, _graph));
            if (embeddedTriples is not null)
            {
                listTriples.AddRange(embeddedTriples);
            }
        }

        // 4
        return bnodes[0];
    }
}
