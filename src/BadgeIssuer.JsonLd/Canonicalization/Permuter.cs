namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>
/// Enumerates the permutations of a list of blank nodes for Hash N-Degree Quads, in the order of the reference
/// implementation (rdf-canonize): start from the list sorted by input label (ordinal), then Steinhaus–Johnson–Trotter
/// with elements compared by label and one direction per distinct element. The chosen path does not depend on the
/// order; the order only decides which of several equally good paths (automorphisms) supplies the issuer.
/// </summary>
internal sealed class Permuter
{
    private readonly int[] _current;
    private readonly Dictionary<int, bool>? _left;
    private readonly List<string> _labels;

    public Permuter(List<int> nodes, List<string> labels)
    {
        _labels = labels;
        _current = [.. nodes];
        if (_current.Length > 1)
        {
            Array.Sort(_current, (a, b) => string.CompareOrdinal(labels[a], labels[b]));
            _left = new Dictionary<int, bool>(_current.Length);
            foreach (int node in _current)
            {
                _left[node] = true;
            }
        }
    }

    public ReadOnlySpan<int> Current => _current;

    /// <summary>Advances to the next permutation; false when <see cref="Current"/> was the last one.</summary>
    public bool MoveNext()
    {
        if (_left is null)
        {
            return false;
        }

        int[] current = _current;
        int length = current.Length;
        int k = -1;
        int position = 0;
        for (int i = 0; i < length; i++)
        {
            int element = current[i];
            bool left = _left[element];
            if ((k < 0 || Greater(element, k))
                && ((left && i > 0 && Greater(element, current[i - 1]))
                    || (!left && i < length - 1 && Greater(element, current[i + 1]))))
            {
                k = element;
                position = i;
            }
        }

        if (k < 0)
        {
            return false;
        }

        int swap = _left[k] ? position - 1 : position + 1;
        current[position] = current[swap];
        current[swap] = k;
        foreach (int element in current)
        {
            if (Greater(element, k))
            {
                _left[element] = !_left[element];
            }
        }

        return true;
    }

    private bool Greater(int a, int b) => string.CompareOrdinal(_labels[a], _labels[b]) > 0;
}
