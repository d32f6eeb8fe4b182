using System.Globalization;
using BadgeIssuer.JsonLd.Canonicalization;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Tests.Conformance;

/// <summary>
/// Dataset isomorphism for the toRdf tests: two datasets are isomorphic exactly when their RDFC-1.0 canonical
/// N-Quads are equal. Language tags are case-insensitive in RDF and the suite writes them in lower case, so
/// they are lower-cased on both sides first; nothing else is normalised.
/// </summary>
public static class CanonicalDataset
{
    public static string Of(RdfDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var normalised = new RdfDataset();
        foreach (RdfQuad quad in dataset.Quads)
        {
            normalised.Add(quad with { Object = LowerLanguage(quad.Object) });
        }

        return RdfCanonicalizer.Canonicalize(normalised).CanonicalNQuads;
    }

    private static RdfTerm LowerLanguage(RdfTerm term)
        => term.IsLiteral && term.Language is not null
            ? term with { Language = term.Language.ToLower(CultureInfo.InvariantCulture) }
            : term;
}
