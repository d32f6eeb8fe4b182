namespace BadgeIssuer.JsonLd.Rdf;

/// <summary>
/// An RDF dataset as a list of quads. Duplicates are removed on <see cref="Add"/>, as an RDF dataset is a set.
/// </summary>
public sealed class RdfDataset
{
    private readonly List<RdfQuad> _quads;

    // Built on the first Add: producers that guarantee distinct quads (toRdf) append without hashing.
    private HashSet<RdfQuad>? _seen;

    public RdfDataset()
        : this(0)
    {
    }

    /// <summary>Creates an empty dataset with room for <paramref name="capacity"/> quads.</summary>
    public RdfDataset(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _quads = new List<RdfQuad>(capacity);
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
        if (_seen is null)
        {
            _seen = new HashSet<RdfQuad>(Math.Max(_quads.Count * 2, 16), QuadComparer.Instance);
            foreach (RdfQuad q in _quads)
            {
                _seen.Add(q);
            }
        }

        if (!_seen.Add(quad))
        {
            return false;
        }

        _quads.Add(quad);
        return true;
    }

    /// <summary>Appends a quad the caller knows is not yet in the dataset (no hashing).</summary>
    internal void AddDistinct(RdfQuad quad)
    {
        System.Diagnostics.Debug.Assert(!_quads.Contains(quad), "AddDistinct was given a duplicate quad");
        _seen?.Add(quad);
        _quads.Add(quad);
    }

    /// <summary>
    /// Quad equality by value. The hash mixes only the values of subject, predicate and object (the parts that
    /// differ between quads of one dataset); equality still compares every member of every term.
    /// </summary>
    private sealed class QuadComparer : IEqualityComparer<RdfQuad>
    {
        public static readonly QuadComparer Instance = new();

        public bool Equals(RdfQuad x, RdfQuad y)
            => TermEquals(x.Object, y.Object) && TermEquals(x.Predicate, y.Predicate) && TermEquals(x.Subject, y.Subject) && TermEquals(x.Graph, y.Graph);

        public int GetHashCode(RdfQuad obj)
            => HashCode.Combine(
                string.GetHashCode(obj.Subject.Value, StringComparison.Ordinal),
                string.GetHashCode(obj.Predicate.Value, StringComparison.Ordinal),
                string.GetHashCode(obj.Object.Value, StringComparison.Ordinal));

        private static bool TermEquals(RdfTerm a, RdfTerm b)
            => a.Kind == b.Kind
                && string.Equals(a.Value, b.Value, StringComparison.Ordinal)
                && string.Equals(a.Datatype, b.Datatype, StringComparison.Ordinal)
                && string.Equals(a.Language, b.Language, StringComparison.Ordinal);
    }
}
