using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>JSON-LD 1.1 Node Map Generation + Deserialize JSON-LD to RDF (sections 7.1 and 8.1).</summary>
internal static class RdfConverter
{
    /// <summary>Converts an expanded document (the <see cref="ExpandedJson"/> model) into an RDF dataset.</summary>
    public static RdfDataset ToRdf(List<object?> expanded, JsonLdOptions options) => throw new NotImplementedException();
}
