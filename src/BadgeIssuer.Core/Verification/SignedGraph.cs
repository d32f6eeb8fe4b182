// The signed view (issue 12, "sound by construction"). A Data Integrity proof signs the RDF dataset of a document,
// not its JSON: countless JSON rewrites (a member renamed to its full IRI or a compact IRI, an alias from an added
// context, @nest, @reverse, @included, a flattened @graph, value objects, index maps, duplicate members, …) keep the
// dataset, and so the signature, while a reader of JSON member names sees something else. So every step after the
// proof reads a JSON object rendered from the very quads the proof step hashed, with the member names this verifier
// knows (an IRI → term table built from the bundled contexts, one IRI per term). Whatever the submitted JSON looks
// like, the view holds what was signed and nothing else: a rewrite nobody listed cannot move a value in or out of it.
//
// Rendering: the root is the one node typed VerifiableCredential (or the root type asked for) that no other node
// points at, except as a credentialSubject (a credential may be the subject of an endorsement it carries). IRI
// nodes with properties are embedded as {"id", …}; without properties they are their IRI string (compacted to a
// term for rdf:type and @vocab-typed properties). Blank nodes are embedded objects. One value is a scalar, more are
// an array (in canonical order: sets have none). xsd:boolean/integer/double literals become JSON booleans/numbers,
// rdf:JSON literals their JSON, every other literal its lexical form. RDF lists become arrays. A node already on the
// path (a cycle) is written as its IRI, or as {} for a blank node. Nothing is cut short: deeper nesting or a longer
// list than the bounds refuses the credential. The work is bounded by the number of quads and the characters of their terms
// (shared nodes are re-embedded, so without a bound a small graph could render huge); the root search is bounded too.

using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using BadgeIssuer.JsonLd;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.Core.Verification;

/// <summary>
/// What a Data Integrity document signs, read once: its canonical N-Quads without the proof (what the proof hashes),
/// the canonical quads themselves and, when asked, its signed view. <see cref="Error"/> says why there is no view: safe
/// mode refused the document (<see cref="SafeModePassed"/> false, and then there is no canonical form either) or the
/// signed data is not one node of the root type.
/// </summary>
internal readonly record struct SignedContent(string? Canonical, IReadOnlyList<RdfQuad>? Quads, JsonDocument? View, string? Error, bool SafeModePassed)
{
    /// <summary>Canonicalizes <paramref name="document"/> without its proof in safe mode and renders the root typed <paramref name="rootClass"/> (null: no view).</summary>
    public static SignedContent Read(JsonElement document, string? rootClass)
    {
        RdfcResult result;
        try
        {
            result = JsonLdProcessor.CanonicalizeWithoutDetailed(document, "proof", DataIntegrity.DataIntegrityOptions.Default.JsonLd, DataIntegrity.DataIntegrityOptions.Default.Rdfc);
        }
        catch (JsonLdException ex)
        {
            return new(null, null, null, $"{ex.SpecCode}: {ex.Message}", SafeModePassed: false);
        }
        catch (RdfcWorkLimitExceededException ex)
        {
            return new(null, null, null, ex.Message, SafeModePassed: false);
        }

        if (rootClass is null)
        {
            return new(result.CanonicalNQuads, result.Quads, null, null, SafeModePassed: true);
        }

        try
        {
            return new(result.CanonicalNQuads, result.Quads, SignedGraph.FromQuads(result.Quads).Render(rootClass), null, SafeModePassed: true);
        }
        catch (SignedGraphException ex)
        {
            return new(result.CanonicalNQuads, result.Quads, null, ex.Message, SafeModePassed: true);
        }
    }
}

/// <summary>Thrown when a signed dataset cannot be presented as one credential (no single root, too much sharing).</summary>
internal sealed class SignedGraphException(string message) : Exception(message);

/// <summary>The default graph of a canonical dataset, indexed for rendering (see the file comment).</summary>
internal sealed class SignedGraph
{
    public const string VerifiableCredentialClass = "https://www.w3.org/2018/credentials#VerifiableCredential";
    public const string CredentialSubjectProperty = "https://www.w3.org/2018/credentials#credentialSubject";
    private const string RdfType = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
    private const string RdfFirst = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first";
    private const string RdfRest = "http://www.w3.org/1999/02/22-rdf-syntax-ns#rest";
    private const string RdfNil = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil";
    private const string RdfJson = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON";
    private const string Xsd = "http://www.w3.org/2001/XMLSchema#";
    private const string XsdHttps = "https://www.w3.org/2001/XMLSchema#";
    private const int MaxRenderDepth = 40;
    private const int MaxListLength = 10_000;
    private const int MaxRootSearches = 16;

    private static readonly JsonDocumentOptions s_parse = new() { MaxDepth = 2 * MaxRenderDepth + 16 };

    private readonly Dictionary<RdfTerm, List<(RdfTerm Predicate, RdfTerm Object)>> _out = [];
    private static readonly FrozenSet<string> s_embeddingProperties = FrozenSet.Create(
        StringComparer.Ordinal,
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#endorsement",
        "https://www.w3.org/2018/credentials#verifiableCredential",
        "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential");

    private readonly Dictionary<RdfTerm, List<RdfTerm>> _referrers = [];
    private readonly HashSet<RdfTerm> _embedded = [];

    /// <summary>Nodes some node points at as its credentialSubject: not referrers for a credential root, but not free roots either.</summary>
    private readonly HashSet<RdfTerm> _subjectsOnly = [];
    private readonly int _quadCount;
    private readonly long _termChars;
    private int _budget;
    private long _charBudget;

    private SignedGraph(IReadOnlyList<RdfQuad> quads)
    {
        _quadCount = quads.Count;
        foreach (RdfQuad q in quads)
        {
            if (!q.Graph.IsDefaultGraph)
            {
                continue;
            }

            if (!_out.TryGetValue(q.Subject, out List<(RdfTerm, RdfTerm)>? list))
            {
                _out[q.Subject] = list = [];
            }

            list.Add((q.Predicate, q.Object));
            _termChars += q.Object.Value.Length + q.Predicate.Value.Length + q.Subject.Value.Length;
            if (!q.Object.IsLiteral && string.Equals(q.Predicate.Value, CredentialSubjectProperty, StringComparison.Ordinal))
            {
                _subjectsOnly.Add(q.Object);
            }
            else if (!q.Object.IsLiteral)
            {
                if (!_referrers.TryGetValue(q.Object, out List<RdfTerm>? referrers))
                {
                    _referrers[q.Object] = referrers = [];
                }

                referrers.Add(q.Subject);
                if (s_embeddingProperties.Contains(q.Predicate.Value))
                {
                    _embedded.Add(q.Object);
                }
            }
        }
    }

    public static SignedGraph FromQuads(IReadOnlyList<RdfQuad> quads) => new(quads);

    /// <summary>
    /// Renders the root node typed <paramref name="rootClass"/> as a JSON object with this verifier's member names.
    /// </summary>
    /// <exception cref="SignedGraphException">No single such root, or the rendering exceeds its work bound.</exception>
    public JsonDocument Render(string rootClass = VerifiableCredentialClass)
    {
        // A root: typed rootClass, not embedded as a credential (an endorsement, a presentation's or a CLR's
        // verifiableCredential), and every node that points at it (other than as a credentialSubject) is one it
        // reaches itself (its own refreshService, a cycle back from its own content), not one that contains it. Any
        // other shape is ambiguous and fails: the proof signs the dataset, not a node of it.
        var roots = new List<RdfTerm>(1);
        int searches = 0;
        foreach ((RdfTerm subject, List<(RdfTerm Predicate, RdfTerm Object)> properties) in _out)
        {
            if (!properties.Exists(p => p.Object.IsIri && string.Equals(p.Predicate.Value, RdfType, StringComparison.Ordinal) && string.Equals(p.Object.Value, rootClass, StringComparison.Ordinal)))
            {
                continue;
            }

            if (_embedded.Contains(subject))
            {
                continue;
            }

            if (!_referrers.TryGetValue(subject, out List<RdfTerm>? referrers))
            {
                roots.Add(subject);
            }
            else if (++searches > MaxRootSearches)
            {
                // Each search walks the graph: bound the work a document full of credential nodes can ask for.
                throw new SignedGraphException(string.Create(CultureInfo.InvariantCulture,
                    $"the signed data holds more than {MaxRootSearches} candidate {SignedVocabulary.Shared.CompactClass(rootClass)} nodes"));
            }
            else if (ReachesAll(subject, referrers))
            {
                roots.Add(subject);
            }
        }

        if (roots.Count != 1)
        {
            throw new SignedGraphException(string.Create(CultureInfo.InvariantCulture,
                $"the signed data holds {roots.Count} top-level nodes of type {SignedVocabulary.Shared.CompactClass(rootClass)}; exactly one is needed to tell what was signed"));
        }

        return RenderNode(roots[0]);
    }

    /// <summary>Renders the one subject no other node points at (a proof configuration's proof node).</summary>
    /// <exception cref="SignedGraphException">There is not exactly one.</exception>
    public JsonDocument RenderSingleRoot()
    {
        var roots = _out.Keys.Where(subject => !_referrers.ContainsKey(subject) && !_subjectsOnly.Contains(subject)).Take(2).ToList();
        if (roots.Count != 1)
        {
            throw new SignedGraphException(string.Create(CultureInfo.InvariantCulture, $"the signed proof options hold {(roots.Count == 0 ? "no" : "more than one")} top-level node"));
        }

        return RenderNode(roots[0]);
    }

    private bool ReachesAll(RdfTerm start, List<RdfTerm> targets)
    {
        var reached = new HashSet<RdfTerm> { start };
        var queue = new Queue<RdfTerm>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            if (_out.TryGetValue(queue.Dequeue(), out List<(RdfTerm Predicate, RdfTerm Object)>? properties))
            {
                foreach ((_, RdfTerm o) in properties)
                {
                    if (!o.IsLiteral && reached.Add(o))
                    {
                        queue.Enqueue(o);
                    }
                }
            }
        }

        return targets.TrueForAll(reached.Contains);
    }

    /// <summary>Renders <paramref name="node"/> (an IRI or blank node of the default graph).</summary>
    public JsonDocument RenderNode(RdfTerm node)
    {
        _budget = (16 * _quadCount) + 1024;
        _charBudget = (4 * _termChars) + (1 << 20);
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = s_parse.MaxDepth, SkipValidation = false }))
            {
                var path = new HashSet<RdfTerm>();
                WriteNode(writer, node, path, 0);
            }

            return JsonDocument.Parse(buffer.WrittenMemory, s_parse);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException)
        {
            // The writer's own depth limit (an rdf:JSON literal deep inside deep content): refused, never thrown on.
            throw new SignedGraphException("the signed data nests too deeply to be presented");
        }
    }

    private void Spend(int chars = 0)
    {
        _charBudget -= chars;
        if (--_budget < 0 || _charBudget < 0)
        {
            throw new SignedGraphException("the signed data shares nodes too often to be presented within the work bound");
        }
    }

    private void WriteNode(Utf8JsonWriter writer, RdfTerm node, HashSet<RdfTerm> path, int depth)
    {
        Spend(node.Value.Length);
        writer.WriteStartObject();
        if (node.IsIri)
        {
            writer.WriteString("id", node.Value);
        }

        if (_out.TryGetValue(node, out List<(RdfTerm Predicate, RdfTerm Object)>? properties))
        {
            path.Add(node);
            SignedVocabulary vocabulary = SignedVocabulary.Shared;
            var written = new HashSet<string>(StringComparer.Ordinal) { "id" };

            // Predicates in canonical (first-seen) order, each with all its values.
            var order = new List<string>();
            var byPredicate = new Dictionary<string, List<RdfTerm>>(StringComparer.Ordinal);
            foreach ((RdfTerm p, RdfTerm o) in properties)
            {
                if (!byPredicate.TryGetValue(p.Value, out List<RdfTerm>? values))
                {
                    byPredicate[p.Value] = values = [];
                    order.Add(p.Value);
                }

                values.Add(o);
            }

            foreach (string predicate in order)
            {
                List<RdfTerm> values = byPredicate[predicate];
                bool isType = string.Equals(predicate, RdfType, StringComparison.Ordinal);
                string name = isType ? "type" : vocabulary.Compact(predicate);
                if (!written.Add(name))
                {
                    name = predicate;
                    written.Add(name);
                }

                bool vocab = isType || vocabulary.IsVocabTyped(predicate);
                Spend(name.Length);
                writer.WritePropertyName(name);
                if (values.Count == 1)
                {
                    WriteValue(writer, values[0], vocab, path, depth + 1);
                }
                else
                {
                    writer.WriteStartArray();
                    foreach (RdfTerm value in values)
                    {
                        WriteValue(writer, value, vocab, path, depth + 1);
                    }

                    writer.WriteEndArray();
                }
            }

            path.Remove(node);
        }

        writer.WriteEndObject();
    }

    private void WriteValue(Utf8JsonWriter writer, RdfTerm value, bool vocab, HashSet<RdfTerm> path, int depth)
    {
        // Shared nodes are written once per reference: the bound is on values and on characters written.
        Spend(value.Value.Length);
        if (value.IsLiteral)
        {
            WriteLiteral(writer, value);
            return;
        }

        if (value.IsIri && string.Equals(value.Value, RdfNil, StringComparison.Ordinal))
        {
            writer.WriteStartArray();
            writer.WriteEndArray();
            return;
        }

        bool hasProperties = _out.TryGetValue(value, out List<(RdfTerm Predicate, RdfTerm Object)>? properties);
        if (hasProperties && !path.Contains(value) && depth >= MaxRenderDepth)
        {
            // Never cut signed content short: deeper than the bound (lists count too), the credential is refused instead.
            throw new SignedGraphException(string.Create(CultureInfo.InvariantCulture, $"the signed data nests deeper than {MaxRenderDepth} levels"));
        }

        if (hasProperties && value.IsBlankNode && IsListNode(properties!) && !path.Contains(value))
        {
            WriteList(writer, value, path, depth);
            return;
        }

        if (!hasProperties || path.Contains(value))
        {
            if (value.IsIri)
            {
                writer.WriteStringValue(vocab ? SignedVocabulary.Shared.CompactClass(value.Value) : value.Value);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteEndObject();
            }

            return;
        }

        WriteNode(writer, value, path, depth);
    }

    private static bool IsListNode(List<(RdfTerm Predicate, RdfTerm Object)> properties)
        => properties.Count == 2
            && properties.Count(p => string.Equals(p.Predicate.Value, RdfFirst, StringComparison.Ordinal)) == 1
            && properties.Count(p => string.Equals(p.Predicate.Value, RdfRest, StringComparison.Ordinal)) == 1;

    private void WriteList(Utf8JsonWriter writer, RdfTerm head, HashSet<RdfTerm> path, int depth)
    {
        writer.WriteStartArray();
        RdfTerm current = head;
        var seen = new List<RdfTerm>();
        for (int i = 0; ; i++)
        {
            if (current.IsIri && string.Equals(current.Value, RdfNil, StringComparison.Ordinal))
            {
                break;
            }

            if (i == MaxListLength)
            {
                throw new SignedGraphException(string.Create(CultureInfo.InvariantCulture, $"the signed data holds a list longer than {MaxListLength} items"));
            }

            if (!_out.TryGetValue(current, out List<(RdfTerm Predicate, RdfTerm Object)>? properties) || !IsListNode(properties) || path.Contains(current))
            {
                throw new SignedGraphException("the signed data holds a malformed RDF list");
            }

            path.Add(current);
            seen.Add(current);
            WriteValue(writer, properties.First(p => string.Equals(p.Predicate.Value, RdfFirst, StringComparison.Ordinal)).Object, vocab: false, path, depth + 1);
            current = properties.First(p => string.Equals(p.Predicate.Value, RdfRest, StringComparison.Ordinal)).Object;
        }

        foreach (RdfTerm node in seen)
        {
            path.Remove(node);
        }

        writer.WriteEndArray();
    }

    private static void WriteLiteral(Utf8JsonWriter writer, RdfTerm literal)
    {
        string lexical = literal.Value;

        // The OB 3.0 contexts spell the XSD namespace with https; both spellings name the same datatypes here.
        string? datatype = literal.Datatype;
        if (datatype is not null && datatype.StartsWith(XsdHttps, StringComparison.Ordinal))
        {
            datatype = Xsd + datatype[XsdHttps.Length..];
        }

        switch (datatype)
        {
            case Xsd + "boolean" when lexical is "true" or "false":
                writer.WriteBooleanValue(lexical == "true");
                return;
            case Xsd + "integer" when long.TryParse(lexical, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer):
                writer.WriteNumberValue(integer);
                return;
            case Xsd + "double" when double.TryParse(lexical, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number):
                writer.WriteNumberValue(number);
                return;
            case RdfJson:
                try
                {
                    using JsonDocument json = JsonDocument.Parse(lexical, s_parse);
                    json.RootElement.WriteTo(writer);
                    return;
                }
                catch (JsonException)
                {
                    break;
                }
        }

        writer.WriteStringValue(lexical);
    }
}

/// <summary>
/// The IRI → term table of the signed view: every term of the bundled contexts, in priority order (VC 2.0, VC 1.1,
/// Open Badges 3.0 newest first, the status, Data Integrity and other contexts), outer terms before scoped ones; the
/// first term for an IRI wins. Two vocabularies may use one term (statusPurpose of Bitstring Status List and of
/// StatusList2021); on one node the second such property keeps its IRI, so the view never merges two properties.
/// </summary>
internal sealed class SignedVocabulary
{
    private static readonly Lazy<SignedVocabulary> s_shared = new(() => new SignedVocabulary(), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly string[] s_priority =
    [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/2018/credentials/v1",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://www.w3.org/ns/credentials/status/v1",
        "https://w3id.org/vc/status-list/2021/v1",
        "https://w3id.org/security/data-integrity/v2",
        "https://w3id.org/security/data-integrity/v1",
        "https://w3id.org/security/suites/ed25519-2020/v1",
        "https://w3id.org/security/multikey/v1",
    ];

    /// <summary>
    /// Contexts bundled so that older and other-ecosystem credentials canonicalize, whose terms the view does not use as
    /// names: they reuse OB and VC names for other IRIs (the JFF plugfest context's OpenBadgeCredential, achievement,
    /// identityHash; ODRL's status; DCC's identifier), so naming by them would let a credential of another vocabulary
    /// read as OB 3.0. Their properties and classes appear in the view as full IRIs.
    /// </summary>
    private static readonly string[] s_notNamed =
    [
        "https://w3c-ccg.github.io/vc-ed/plugfest-1-2022/jff-vc-edu-plugfest-1-context.json",
        "https://www.w3.org/ns/odrl.jsonld",
        "https://www.w3.org/2018/credentials/examples/v1", // imports ODRL
        "https://w3id.org/dcc/v1",
        "https://w3id.org/security/v1",
        "https://w3id.org/security/v2",
        "https://w3id.org/security/suites/ed25519-2018/v1",
        "https://w3id.org/vc-revocation-list-2020/v1",
    ];

    private readonly FrozenDictionary<string, string> _propertyByIri;
    private readonly FrozenDictionary<string, string> _classByIri;
    private readonly FrozenSet<string> _vocabTyped;

    private SignedVocabulary()
    {
        var candidates = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var vocabTyped = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<string> urls = s_priority.Concat(BundledDocumentLoader.BundledUrls.Order(StringComparer.Ordinal).Except(s_priority, StringComparer.Ordinal).Except(s_notNamed, StringComparer.Ordinal));
        foreach (string url in urls)
        {
            IReadOnlyList<JsonLdTermInfo> terms;
            try
            {
                terms = JsonLdProcessor.DescribeTerms([url]);
            }
            catch (JsonLdException)
            {
                continue; // a context that needs another one first (none of the priority ones): its terms are not needed
            }

            foreach (JsonLdTermInfo t in terms.OrderBy(t => t.ScopeDepth))
            {
                if (t.Reverse || t.Iri.StartsWith('@') || t.Iri.StartsWith("_:", StringComparison.Ordinal) || t.Term.Contains(':', StringComparison.Ordinal))
                {
                    continue;
                }

                if (!candidates.TryGetValue(t.Iri, out List<string>? names))
                {
                    candidates[t.Iri] = names = [];
                }

                if (!names.Contains(t.Term, StringComparer.Ordinal))
                {
                    names.Add(t.Term);
                }

                if (string.Equals(t.TypeMapping, "@vocab", StringComparison.Ordinal))
                {
                    vocabTyped.Add(t.Iri);
                }
            }
        }

        // One IRI may be both a class and a property (OB's "Criteria" and "criteria"): classes are named by the first
        // upper-case term where there is one, properties by the first lower-case one.
        _propertyByIri = candidates.ToFrozenDictionary(c => c.Key, c => c.Value.Find(n => !char.IsUpper(n[0])) ?? c.Value[0], StringComparer.Ordinal);
        _classByIri = candidates.ToFrozenDictionary(c => c.Key, c => c.Value.Find(n => char.IsUpper(n[0])) ?? c.Value[0], StringComparer.Ordinal);
        _vocabTyped = vocabTyped.ToFrozenSet(StringComparer.Ordinal);
    }

    public static SignedVocabulary Shared => s_shared.Value;

    /// <summary>The property term for <paramref name="iri"/>, or the IRI itself when no bundled context names it.</summary>
    public string Compact(string iri) => _propertyByIri.GetValueOrDefault(iri, iri);

    /// <summary>The class (or vocabulary value) term for <paramref name="iri"/>, or the IRI itself.</summary>
    public string CompactClass(string iri) => _classByIri.GetValueOrDefault(iri, iri);

    /// <summary>Whether the property's values are vocabulary-relative (e.g. proofPurpose, statusPurpose in some contexts).</summary>
    public bool IsVocabTyped(string iri) => _vocabTyped.Contains(iri);
}
