using System.Text.Json;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Processing;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd;

/// <summary>
/// Entry points: expansion, conversion to RDF and RDFC-1.0 canonicalization of JSON-LD documents given as
/// <see cref="JsonElement"/>, so the signed bytes are never re-shaped by a serializer.
/// </summary>
public static class JsonLdProcessor
{
    /// <summary>Expands <paramref name="input"/> (JSON-LD 1.1 <c>expand()</c>) and returns the expanded array.</summary>
    public static JsonElement Expand(JsonElement input, JsonLdOptions? options = null)
        => ExpandedJson.ToJsonElement(Expander.Expand(input, options ?? new JsonLdOptions()));

    /// <summary>Converts <paramref name="input"/> to an RDF dataset (JSON-LD 1.1 <c>toRdf()</c>).</summary>
    public static RdfDataset ToRdf(JsonElement input, JsonLdOptions? options = null)
    {
        JsonLdOptions o = options ?? new JsonLdOptions();
        return RdfConverter.ToRdf(Expander.Expand(input, o), o);
    }

    /// <summary>Returns the RDFC-1.0 canonical N-Quads of <paramref name="input"/>.</summary>
    public static string Canonicalize(JsonElement input, JsonLdOptions? options = null, RdfcOptions? rdfcOptions = null)
        => CanonicalizeDetailed(input, options, rdfcOptions).CanonicalNQuads;

    /// <summary>Canonicalizes <paramref name="input"/> and returns the canonical quads and the issued blank-node identifiers.</summary>
    public static RdfcResult CanonicalizeDetailed(JsonElement input, JsonLdOptions? options = null, RdfcOptions? rdfcOptions = null)
        => RdfCanonicalizer.Canonicalize(ToRdf(input, options), rdfcOptions);

    /// <summary>
    /// Canonicalizes <paramref name="input"/> as if its top-level member <paramref name="excludedMember"/> were absent
    /// (Data Integrity canonicalizes a credential without its <c>proof</c>), without copying the document.
    /// </summary>
    public static string CanonicalizeWithout(JsonElement input, string excludedMember, JsonLdOptions? options = null, RdfcOptions? rdfcOptions = null)
        => CanonicalizeWithoutDetailed(input, excludedMember, options, rdfcOptions).CanonicalNQuads;

    /// <summary>Parses UTF-8 JSON-LD and returns its RDFC-1.0 canonical N-Quads.</summary>
    public static string Canonicalize(ReadOnlyMemory<byte> utf8Json, JsonLdOptions? options = null, RdfcOptions? rdfcOptions = null)
    {
        JsonLdOptions o = options ?? new JsonLdOptions();
        using JsonDocument doc = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = o.MaxDepth });
        return Canonicalize(doc.RootElement, o, rdfcOptions);
    }

    /// <summary>
    /// Canonicalizes <paramref name="input"/> without its top-level member <paramref name="excludedMember"/>, as
    /// <see cref="CanonicalizeWithout"/> does, and returns the canonical quads as well as their N-Quads text.
    /// </summary>
    public static RdfcResult CanonicalizeWithoutDetailed(JsonElement input, string excludedMember, JsonLdOptions? options = null, RdfcOptions? rdfcOptions = null)
    {
        ArgumentNullException.ThrowIfNull(excludedMember);
        JsonLdOptions o = options ?? new JsonLdOptions();
        return RdfCanonicalizer.Canonicalize(RdfConverter.ToRdf(Expander.Expand(input, o, excludedMember), o), rdfcOptions);
    }

    /// <summary>
    /// Every term definition that the contexts at <paramref name="contextUrls"/> (applied in order) make available,
    /// with those of their property- and type-scoped contexts, breadth first; terms mapped to null are left out.
    /// </summary>
    public static IReadOnlyList<JsonLdTermInfo> DescribeTerms(IEnumerable<string> contextUrls, JsonLdOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(contextUrls);
        return new ExpansionRun(options ?? new JsonLdOptions()).DescribeTerms(contextUrls);
    }

    /// <summary>Returns the RDFC-1.0 canonical N-Quads of a dataset.</summary>
    public static string Canonicalize(RdfDataset dataset, RdfcOptions? rdfcOptions = null)
        => RdfCanonicalizer.Canonicalize(dataset, rdfcOptions).CanonicalNQuads;
}
