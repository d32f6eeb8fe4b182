namespace BadgeIssuer.JsonLd.Rdf;

/// <summary>
/// An RDF dataset as a list of quads. Duplicates are removed on <see cref="Add"/>, as an RDF dataset is a set.
/// </summary>
public sealed class RdfDataset
{
    private readonly List<RdfQuad> _quads;
    private readonly HashSet<RdfQuad> _seen;

    public RdfDataset()
    {
        _quads = [];
        _seen = [];
    }

    public RdfDataset(IEnumerable<RdfQuad> quads)
        : this()
    {
        ArgumentNullException.ThrowIfNull(quads);
        foreach (RdfQuad quad in quads)
        {
            Add(quad);
        }
    }

    /// <summary>The quads in insertion order.</summary>
    public IReadOnlyList<RdfQuad> Quads => _quads;

    public int Count => _quads.Count;

    /// <summary>Adds a quad unless the dataset already holds it; returns whether it was added.</summary>
    public bool Add(RdfQuad quad)
    {
        if (!_seen.Add(quad))
        {
            return false;
        }

        _quads.Add(quad);
        return true;
    }
}
