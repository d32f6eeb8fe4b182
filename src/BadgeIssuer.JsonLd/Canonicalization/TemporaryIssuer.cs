using System.Runtime.InteropServices;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>
/// A temporary RDFC-1.0 identifier issuer (Hash N-Degree Quads): node index → issued number, in order of issuance.
/// Hash N-Degree Quads makes and copies as many of these as the input's shared hashes and permutations ask for, so one
/// holds only what it issued: making or copying it costs what it holds, never the size of the graph. (Dense issuers
/// here made a document of 300,000 identical blank nodes cost gigabytes and minutes before the work limit stopped it.)
/// The canonical issuer, one per run, stays dense (<see cref="IdentifierIssuer"/>).
/// </summary>
internal sealed class TemporaryIssuer
{
    private readonly Dictionary<int, int> _issued;
    private readonly List<int> _order;

    public TemporaryIssuer()
    {
        _issued = [];
        _order = [];
    }

    private TemporaryIssuer(TemporaryIssuer other)
    {
        _issued = new Dictionary<int, int>(other._issued);
        _order = [.. other._order];
    }

    /// <summary>The nodes in order of issuance.</summary>
    public ReadOnlySpan<int> IssuedNodes => CollectionsMarshal.AsSpan(_order);

    public bool Has(int node) => _issued.ContainsKey(node);

    /// <summary>The number issued to <paramref name="node"/>, or -1.</summary>
    public int Get(int node) => _issued.GetValueOrDefault(node, -1);

    /// <summary>Issue Identifier: returns the existing number or issues the next one.</summary>
    public int Issue(int node)
    {
        if (_issued.TryGetValue(node, out int existing))
        {
            return existing;
        }

        int number = _order.Count;
        _issued.Add(node, number);
        _order.Add(node);
        return number;
    }

    public TemporaryIssuer Clone() => new(this);
}
