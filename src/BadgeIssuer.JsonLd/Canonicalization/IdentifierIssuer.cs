namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>
/// An RDFC-1.0 identifier issuer over dense blank node indices: node index → issued number (<c>prefix + number</c>),
/// remembering the order of issuance. Copying is two small array copies.
/// </summary>
internal sealed class IdentifierIssuer
{
    private readonly int[] _issued;
    private readonly int[] _order;

    public IdentifierIssuer(int nodeCount)
    {
        _issued = new int[nodeCount];
        _issued.AsSpan().Fill(-1);
        _order = new int[nodeCount];
    }

    private IdentifierIssuer(IdentifierIssuer other)
    {
        _issued = (int[])other._issued.Clone();
        _order = (int[])other._order.Clone();
        Count = other.Count;
    }

    /// <summary>How many identifiers were issued.</summary>
    public int Count { get; private set; }

    /// <summary>The nodes in order of issuance (the first <see cref="Count"/> entries).</summary>
    public ReadOnlySpan<int> IssuedNodes => _order.AsSpan(0, Count);

    public bool Has(int node) => _issued[node] >= 0;

    /// <summary>The number issued to <paramref name="node"/>, or -1.</summary>
    public int Get(int node) => _issued[node];

    /// <summary>Issue Identifier: returns the existing number or issues the next one.</summary>
    public int Issue(int node)
    {
        int existing = _issued[node];
        if (existing >= 0)
        {
            return existing;
        }

        int number = Count;
        _issued[node] = number;
        _order[number] = node;
        Count = number + 1;
        return number;
    }

    public IdentifierIssuer Clone() => new(this);
}
