using System.Text.Json;

namespace BadgeIssuer.JsonLd;

/// <summary>How <c>rdf:dirLangString</c>-style base direction is represented in RDF.</summary>
public enum RdfDirection
{
    /// <summary>Direction is dropped (the JSON-LD default).</summary>
    None,

    /// <summary><c>https://www.w3.org/ns/i18n#{language}_{direction}</c> datatypes.</summary>
    I18nDatatype,

    /// <summary>A blank node with <c>rdf:value</c>, <c>rdf:language</c> and <c>rdf:direction</c>.</summary>
    CompoundLiteral,
}

/// <summary>
/// How toRdf writes the numbers jsonld.js reads differently from the specification: a non-integral number whose
/// JavaScript text has no <c>.</c> (every such number is below 10^-6 in magnitude with one significant digit, as
/// <c>1e-7</c> or <c>-5e-10</c>). The specification makes it an <c>xsd:double</c> (<c>"1.0E-7"</c>); jsonld.js's
/// <c>isDouble</c> looks for a <c>.</c> in <c>String(value)</c>, so it writes <c>value.toFixed(0)</c> as an
/// <c>xsd:integer</c> (<c>"0"</c>, or <c>"-0"</c> for a negative value).
/// </summary>
public enum JsonLdJsNumbers
{
    /// <summary>The specification's canonical <c>xsd:double</c> (the default).</summary>
    Specification,

    /// <summary>Fail with <see cref="JsonLdErrorCode.NumberNotPortable"/>: for signing, so nothing is signed that a jsonld.js-based verifier canonicalizes differently.</summary>
    Refuse,

    /// <summary>jsonld.js's integer form, to explain a signature made by a jsonld.js-based signer.</summary>
    JsonLdJs,
}

/// <summary>Options for expansion and conversion to RDF.</summary>
public sealed class JsonLdOptions
{
    /// <summary>Default for <see cref="MaxContexts"/>.</summary>
    public const int DefaultMaxContexts = 64;

    /// <summary>Default for <see cref="MaxTermDefinitions"/>.</summary>
    public const int DefaultMaxTermDefinitions = 20_000;

    /// <summary>Default for <see cref="MaxDepth"/>.</summary>
    public const int DefaultMaxDepth = 64;

    /// <summary>The base IRI of the document, if any.</summary>
    public string? Base { get; init; }

    /// <summary>A context to apply before the document's own (<c>expandContext</c>).</summary>
    public JsonElement? ExpandContext { get; init; }

    /// <summary><c>json-ld-1.1</c> (default) or <c>json-ld-1.0</c>.</summary>
    public string ProcessingMode { get; init; } = "json-ld-1.1";

    /// <summary>The document loader (<c>documentLoader</c>); defaults to the bundled, network-free loader.</summary>
    public DocumentLoader DocumentLoader { get; init; } = BundledDocumentLoader.Default.Load;

    /// <summary>
    /// Fail instead of silently dropping data: undefined terms, relative <c>@type</c>/<c>@id</c> values and
    /// values expansion would discard raise <c>SafeMode*</c> errors. On for signing and verifying.
    /// </summary>
    public bool SafeMode { get; init; }

    /// <summary>How base direction is represented in RDF (<c>rdfDirection</c>).</summary>
    public RdfDirection RdfDirection { get; init; }

    /// <summary>
    /// Compatibility with jsonld.js (off by default, on in <see cref="Safe"/>): an element of a context array that is an
    /// object whose only member is <c>@context</c> and whose value is an object — <c>[…, {"@context": {…}}]</c> — is
    /// read as the context definition it wraps. JSON-LD 1.1 forbids the wrapper (<c>@context</c> cannot be redefined:
    /// <c>keyword redefinition</c>, W3C test <c>ter56</c>), jsonld.js unwraps it. The unwrap is one step: the inner
    /// object is processed as a context definition, so a wrapper inside it is still a keyword redefinition. Any other
    /// shape (a sibling member, a non-object value, the wrapper as the whole <c>@context</c> value) stays an error.
    /// </summary>
    public bool UnwrapNestedContextObjects { get; init; }

    /// <summary>How toRdf writes a number jsonld.js reads differently (<see cref="JsonLdJsNumbers"/>).</summary>
    public JsonLdJsNumbers JsonLdJsNumbers { get; init; }

    /// <summary>Whether to emit quads with blank-node predicates (<c>produceGeneralizedRdf</c>).</summary>
    public bool ProduceGeneralizedRdf { get; init; }

    /// <summary>
    /// Upper bound on context documents and context-processing steps one document may cause. A context URL applied again
    /// to the same active context within one document counts once (so many nodes naming the same contexts, such as the
    /// credentials a CLR embeds, cost one step each), whatever the shared context cache already holds.
    /// </summary>
    public int MaxContexts { get; init; } = DefaultMaxContexts;

    /// <summary>
    /// Upper bound on term definitions one document may cause to be created (context processing work not served
    /// from the context cache), so a document cannot make the processor re-process large contexts thousands of
    /// times. Processing the OB 3.0 and VC 2.0 contexts from cold takes about 700 (an OB credential with a proof).
    /// </summary>
    public int MaxTermDefinitions { get; init; } = DefaultMaxTermDefinitions;

    /// <summary>Upper bound on JSON nesting depth of the input document.</summary>
    public int MaxDepth { get; init; } = DefaultMaxDepth;

    internal bool IsJsonLd10 => string.Equals(ProcessingMode, "json-ld-1.0", StringComparison.Ordinal);

    /// <summary>
    /// The options for signing and verifying Data Integrity proofs: safe mode on, and the two compatibility rules of
    /// the deployed JavaScript stack (jsonld-signatures, @digitalbazaar/data-integrity and its cryptosuites, which call
    /// jsonld.js with <c>safe: true</c> and <c>rdfDirection: "i18n-datatype"</c>): <see cref="RdfDirection"/> is
    /// <see cref="RdfDirection.I18nDatatype"/> and <see cref="UnwrapNestedContextObjects"/> is on. A document without
    /// <c>@direction</c> and without the nested-context wrapper has the same RDF as under plain safe mode.
    /// </summary>
    public static JsonLdOptions Safe { get; } = SafeWith(JsonLdJsNumbers.Specification);

    /// <summary>
    /// <see cref="Safe"/> for signing: also refuses a number jsonld.js canonicalizes differently
    /// (<see cref="JsonLdJsNumbers.Refuse"/>), so nothing is signed that Digital Bazaar-based verifiers cannot verify.
    /// </summary>
    public static JsonLdOptions SafeForSigning { get; } = SafeWith(JsonLdJsNumbers.Refuse);

    /// <summary>
    /// <see cref="Safe"/> with jsonld.js's form of the numbers it reads differently (<see cref="JsonLdJsNumbers.JsonLdJs"/>):
    /// to tell whether a failed signature was made over jsonld.js's RDF.
    /// </summary>
    public static JsonLdOptions SafeWithJsonLdJsNumbers { get; } = SafeWith(JsonLdJsNumbers.JsonLdJs);

    private static JsonLdOptions SafeWith(JsonLdJsNumbers numbers)
        => new() { SafeMode = true, RdfDirection = RdfDirection.I18nDatatype, UnwrapNestedContextObjects = true, JsonLdJsNumbers = numbers };
}

/// <summary>One term definition reachable from a set of contexts (<see cref="JsonLdProcessor.DescribeTerms"/>).</summary>
/// <param name="Term">The term as a document writes it.</param>
/// <param name="Iri">Its IRI mapping (an absolute IRI, a blank node identifier or a keyword).</param>
/// <param name="TypeMapping">Its type mapping (<c>@id</c>, <c>@vocab</c>, <c>@json</c> or a datatype IRI), if any.</param>
/// <param name="Reverse">Whether the term is a reverse property.</param>
/// <param name="ScopeDepth">0 for the contexts' own terms, 1 for terms of a scoped context of those, and so on.</param>
public sealed record JsonLdTermInfo(string Term, string Iri, string? TypeMapping, bool Reverse, int ScopeDepth);
