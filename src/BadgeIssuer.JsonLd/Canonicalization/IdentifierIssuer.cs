namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>
/// The canonical RDFC-1.0 identifier issuer, dense over the run's blank node indices: node index → issued number
/// (<c>prefix + number</c>), remembering the order of issuance. One per run; the temporary issuers of Hash N-Degree
/// Quads are <see cref="TemporaryIssuer"/>.
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

}
