namespace BadgeIssuer.JsonLd.Rdf;

/// <summary>The kind of an RDF term.</summary>
public enum RdfTermKind : byte
{
    /// <summary>An absolute IRI (or, with generalized RDF, any IRI-like string).</summary>
    Iri,

    /// <summary>A blank node; <see cref="RdfTerm.Value"/> is the label without the <c>_:</c> prefix.</summary>
    BlankNode,

    /// <summary>A literal with a datatype IRI and, for <c>rdf:langString</c>, a language tag.</summary>
    Literal,

    /// <summary>The default graph (graph position only).</summary>
    DefaultGraph,
}

/// <summary>
/// An RDF term. IRIs carry the IRI in <see cref="Value"/>; blank nodes carry the label without <c>_:</c>;
/// literals carry the lexical form, the datatype IRI and, for language-tagged strings, the language tag.
/// </summary>
public readonly record struct RdfTerm(RdfTermKind Kind, string Value, string? Datatype = null, string? Language = null)
{
    public const string XsdString = "http://www.w3.org/2001/XMLSchema#string";
    public const string RdfLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString";

    public static RdfTerm DefaultGraph { get; } = new(RdfTermKind.DefaultGraph, string.Empty);

    public bool IsIri => Kind == RdfTermKind.Iri;

    public bool IsBlankNode => Kind == RdfTermKind.BlankNode;

    public bool IsLiteral => Kind == RdfTermKind.Literal;

    public bool IsDefaultGraph => Kind == RdfTermKind.DefaultGraph;

    public static RdfTerm Iri(string iri) => new(RdfTermKind.Iri, iri);

    /// <summary>A blank node; <paramref name="label"/> is without the <c>_:</c> prefix.</summary>
    public static RdfTerm BlankNode(string label) => new(RdfTermKind.BlankNode, label);

    /// <summary>A literal; the datatype defaults to <c>xsd:string</c>, or <c>rdf:langString</c> with a language.</summary>
    public static RdfTerm Literal(string lexicalForm, string? datatype = null, string? language = null)
        => new(RdfTermKind.Literal, lexicalForm, language is null ? datatype ?? XsdString : RdfLangString, language);

    public override string ToString() => Canonicalization.NQuads.SerializeTerm(this);
}

/// <summary>An RDF quad; <see cref="Graph"/> is <see cref="RdfTerm.DefaultGraph"/> for the default graph.</summary>
public readonly record struct RdfQuad(RdfTerm Subject, RdfTerm Predicate, RdfTerm Object, RdfTerm Graph)
{
    public RdfQuad(RdfTerm subject, RdfTerm predicate, RdfTerm @object)
        : this(subject, predicate, @object, RdfTerm.DefaultGraph)
    {
    }

    public override string ToString() => Canonicalization.NQuads.SerializeQuad(this);
}
