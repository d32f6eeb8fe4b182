using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using BadgeIssuer.JsonLd.Rdf;

namespace BadgeIssuer.JsonLd.Canonicalization;

/// <summary>
/// One run of the RDFC-1.0 canonicalization algorithm (W3C Recommendation, 21 May 2024, section 4).
/// Blank nodes are mapped to dense indices in order of first appearance (subject, object, graph of each quad in
/// input order), which is the iteration order of the spec's blank node to quads map. Quads are serialized straight
/// into one pooled char buffer (no per-term strings); hashes are SHA-256/384 over its UTF-8 encoding.
/// </summary>
internal sealed class Rdfc10 : IDisposable
{
    private const string CanonicalPrefix = "c14n";

    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    [ThreadStatic]
    private static IncrementalHash? t_sha384;

    private readonly RdfQuad[] _quads;
    private readonly QuadNodes[] _nodes;
    private readonly List<string> _labels = [];
    private readonly int[][] _nodeQuads;
    private readonly string?[] _firstDegreeHashes;
    private readonly IdentifierIssuer _canonical;
    private readonly RdfcHashAlgorithm _algorithm;
    private readonly int _maxNDegreeCalls;
    private readonly CharBuffer _scratch = new(1024);
    private readonly List<string> _tempIds = [];
    private readonly List<string> _canonicalIds = [];
    private int _nDegreeCalls;

    public Rdfc10(IReadOnlyList<RdfQuad> quads, RdfcOptions options)
    {
        _quads = new RdfQuad[quads.Count];
        _algorithm = options.HashAlgorithm;
        _maxNDegreeCalls = options.MaxHashNDegreeCalls;
        _nodes = new QuadNodes[quads.Count];

        // Step 2: blank node to quads map (each quad listed once per blank node, however often the node occurs in it).
        var nodeIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodeQuads = new List<List<int>>();
        for (int q = 0; q < quads.Count; q++)
        {
            RdfQuad quad = quads[q];
            Validate(quad);
            _quads[q] = quad;
            _nodes[q] = new QuadNodes(
                Node(quad.Subject, nodeIndex, nodeQuads, q),
                Node(quad.Object, nodeIndex, nodeQuads, q),
                Node(quad.Graph, nodeIndex, nodeQuads, q));
        }

        _nodeQuads = new int[nodeQuads.Count][];
        for (int n = 0; n < nodeQuads.Count; n++)
        {
            _nodeQuads[n] = [.. nodeQuads[n]];
        }

        _firstDegreeHashes = new string?[_labels.Count];
        _canonical = new IdentifierIssuer(_labels.Count);
    }

    /// <summary>How many times Hash N-Degree Quads ran (for diagnostics and tests).</summary>
    public int HashNDegreeCalls => _nDegreeCalls;

    public RdfcResult Run()
    {
        int nodeCount = _labels.Count;

        // Step 3: hash to blank nodes map, in blank node to quads map order.
        var hashToNodes = new Dictionary<string, List<int>>(nodeCount, StringComparer.Ordinal);
        for (int n = 0; n < nodeCount; n++)
        {
            string hash = HashFirstDegreeQuads(n);
            if (!hashToNodes.TryGetValue(hash, out List<int>? list))
            {
                list = new List<int>(1);
                hashToNodes.Add(hash, list);
            }

            list.Add(n);
        }

        string[] hashes = new string[hashToNodes.Count];
        hashToNodes.Keys.CopyTo(hashes, 0);
        Array.Sort(hashes, StringComparer.Ordinal);

        // Step 4: unique hashes get canonical identifiers in hash order.
        bool anyShared = false;
        foreach (string hash in hashes)
        {
            List<int> list = hashToNodes[hash];
            if (list.Count == 1)
            {
                _canonical.Issue(list[0]);
            }
            else
            {
                anyShared = true;
            }
        }

        // Step 5: shared hashes, via Hash N-Degree Quads.
        if (anyShared)
        {
            var hashPaths = new List<(string Hash, TemporaryIssuer Issuer)>();
            foreach (string hash in hashes)
            {
                List<int> list = hashToNodes[hash];
                if (list.Count == 1)
                {
                    continue;
                }

                hashPaths.Clear();
                foreach (int n in list)
                {
                    if (_canonical.Has(n))
                    {
                        continue;
                    }

                    var temporary = new TemporaryIssuer();
                    temporary.Issue(n);
                    hashPaths.Add(HashNDegreeQuads(n, temporary));
                }

                // Stable sort by hash (ties keep identifier list order).
                for (int i = 1; i < hashPaths.Count; i++)
                {
                    (string Hash, TemporaryIssuer Issuer) item = hashPaths[i];
                    int j = i - 1;
                    while (j >= 0 && string.CompareOrdinal(hashPaths[j].Hash, item.Hash) > 0)
                    {
                        hashPaths[j + 1] = hashPaths[j];
                        j--;
                    }

                    hashPaths[j + 1] = item;
                }

                foreach ((string _, TemporaryIssuer issuer) in hashPaths)
                {
                    foreach (int node in issuer.IssuedNodes)
                    {
                        _canonical.Issue(node);
                    }
                }
            }
        }

        return BuildResult();
    }

    public void Dispose() => _scratch.Dispose();

    /// <summary>RDFC-1.0 takes an RDF dataset: generalized quads (say, a blank node predicate) have no canonical form.</summary>
    private static void Validate(in RdfQuad quad)
    {
        if (quad.Subject.Kind is not (RdfTermKind.Iri or RdfTermKind.BlankNode)
            || quad.Predicate.Kind is not RdfTermKind.Iri
            || quad.Object.Kind is RdfTermKind.DefaultGraph
            || quad.Graph.Kind is RdfTermKind.Literal)
        {
            throw new ArgumentException($"Not an RDF quad (RDFC-1.0 does not canonicalize generalized RDF): {quad.Subject.Kind} {quad.Predicate.Kind} {quad.Object.Kind} {quad.Graph.Kind}.", nameof(quad));
        }
    }

    private int Node(RdfTerm term, Dictionary<string, int> nodeIndex, List<List<int>> nodeQuads, int quad)
    {
        if (!term.IsBlankNode)
        {
            return -1;
        }

        if (!nodeIndex.TryGetValue(term.Value, out int index))
        {
            index = _labels.Count;
            nodeIndex.Add(term.Value, index);
            _labels.Add(term.Value);
            nodeQuads.Add([]);
        }

        List<int> list = nodeQuads[index];
        if (list.Count == 0 || list[^1] != quad)
        {
            list.Add(quad);
        }

        return index;
    }

    /// <summary>RDFC-1.0 4.6 Hash First Degree Quads (cached per node).</summary>
    private string HashFirstDegreeQuads(int node)
    {
        string? cached = _firstDegreeHashes[node];
        if (cached is not null)
        {
            return cached;
        }

        int[] quads = _nodeQuads[node];
        CharBuffer buffer = _scratch;
        buffer.Clear();
        int[]? startsArray = quads.Length <= 64 ? null : new int[quads.Length + 1];
        Span<int> starts = startsArray ?? stackalloc int[quads.Length + 1];
        for (int i = 0; i < quads.Length; i++)
        {
            starts[i] = buffer.Length;
            int q = quads[i];
            ref readonly RdfQuad quad = ref _quads[q];
            ref readonly QuadNodes nodes = ref _nodes[q];
            AppendFirstDegree(buffer, quad.Subject, nodes.Subject, node);
            buffer.Append(' ');
            CanonicalTermWriter.Append(buffer, quad.Predicate);
            buffer.Append(' ');
            AppendFirstDegree(buffer, quad.Object, nodes.Object, node);
            if (!quad.Graph.IsDefaultGraph)
            {
                buffer.Append(' ');
                AppendFirstDegree(buffer, quad.Graph, nodes.Graph, node);
            }

            buffer.Append(" .\n");
        }

        starts[quads.Length] = buffer.Length;

        Span<int> order = quads.Length <= 64 ? stackalloc int[quads.Length] : new int[quads.Length];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Code point order: insertion sort for the short lists most nodes have; a node with many quads (an input can
        // give one tens of thousands) is sorted in O(n log n) instead.
        ReadOnlySpan<char> chars = buffer.AsSpan();
        if (startsArray is not null)
        {
            order.Sort(new LineComparer(buffer.RawChars, startsArray));
        }
        else
        {
            for (int i = 1; i < order.Length; i++)
            {
                int item = order[i];
                ReadOnlySpan<char> line = chars[starts[item]..starts[item + 1]];
                int j = i - 1;
                while (j >= 0 && CodePointOrder.Compare(chars[starts[order[j]]..starts[order[j] + 1]], line) > 0)
                {
                    order[j + 1] = order[j];
                    j--;
                }

                order[j + 1] = item;
            }
        }

        string hash = HashSegments(chars, starts, order);
        _firstDegreeHashes[node] = hash;
        return hash;
    }

    private static void AppendFirstDegree(CharBuffer buffer, RdfTerm term, int termNode, int referenceNode)
    {
        if (termNode < 0)
        {
            CanonicalTermWriter.Append(buffer, term);
        }
        else
        {
            buffer.Append(termNode == referenceNode ? "_:a" : "_:z");
        }
    }

    /// <summary>RDFC-1.0 4.7 Hash Related Blank Node.</summary>
    private string HashRelatedBlankNode(int related, in RdfQuad quad, TemporaryIssuer issuer, char position)
    {
        // Resolve the identifier first: HashFirstDegreeQuads may use the scratch buffer.
        int canonical = _canonical.Get(related);
        int temporary = issuer.Get(related);
        string identifier = canonical >= 0
            ? CanonicalId(canonical)
            : temporary >= 0 ? TempId(temporary) : HashFirstDegreeQuads(related);

        CharBuffer buffer = _scratch;
        buffer.Clear();
        buffer.Append(position);
        if (position != 'g')
        {
            CanonicalTermWriter.Append(buffer, quad.Predicate);
        }

        buffer.Append(identifier);
        return Hash(buffer.AsSpan());
    }

    /// <summary>RDFC-1.0 4.8 Hash N-Degree Quads (§4.8.3).</summary>
    private (string Hash, TemporaryIssuer Issuer) HashNDegreeQuads(int node, TemporaryIssuer issuer)
    {
        // The recursion is as deep as the chain of blank nodes it explores: refuse rather than overflow the stack.
        if (++_nDegreeCalls > _maxNDegreeCalls || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new RdfcWorkLimitExceededException();
        }

        // Steps 1-3: related hash to related blank nodes map.
        var hashToRelated = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (int q in _nodeQuads[node])
        {
            ref readonly RdfQuad quad = ref _quads[q];
            ref readonly QuadNodes nodes = ref _nodes[q];
            AddRelated(hashToRelated, nodes.Subject, node, in quad, issuer, 's');
            AddRelated(hashToRelated, nodes.Object, node, in quad, issuer, 'o');
            AddRelated(hashToRelated, nodes.Graph, node, in quad, issuer, 'g');
        }

        string[] relatedHashes = new string[hashToRelated.Count];
        hashToRelated.Keys.CopyTo(relatedHashes, 0);
        Array.Sort(relatedHashes, StringComparer.Ordinal);

        // Steps 4-5.
        var dataToHash = new StringBuilder(relatedHashes.Length * 100);
        using var path = new CharBuffer(256);
        var recursionList = new List<int>();
        foreach (string relatedHash in relatedHashes)
        {
            dataToHash.Append(relatedHash);
            string? chosenPath = null;
            TemporaryIssuer? chosenIssuer = null;
            var permuter = new Permuter(hashToRelated[relatedHash], _labels);
            do
            {
                // Step 5.4: one permutation; step 5.4.6: keep the least path.
                TemporaryIssuer issuerCopy = issuer.Clone();
                if (TryPermutationPath(permuter.Current, ref issuerCopy, path, recursionList, chosenPath)
                    && (chosenPath is null || path.AsSpan().SequenceCompareTo(chosenPath) < 0))
                {
                    chosenPath = path.ToString();
                    chosenIssuer = issuerCopy;
                }
            }
            while (permuter.MoveNext());

            dataToHash.Append(chosenPath);
            issuer = chosenIssuer!;
        }

        using var data = new CharBuffer(dataToHash.Length);
        foreach (ReadOnlyMemory<char> chunk in dataToHash.GetChunks())
        {
            data.Append(chunk.Span);
        }

        return (Hash(data.AsSpan()), issuer);
    }

    // RDFC-1.0 §4.8.3 steps 5.4.1-5.4.5: the path of one permutation of related blank nodes — their canonical or
    // temporary identifiers (5.4.4), then each newly labelled node's identifier and N-degree hash (5.4.5). False as soon
    // as the path cannot beat the chosen path (5.4.4.3, 5.4.5.5).
    private bool TryPermutationPath(ReadOnlySpan<int> permutation, ref TemporaryIssuer issuerCopy, CharBuffer path, List<int> recursionList, string? chosenPath)
    {
        path.Clear();
        recursionList.Clear();
        foreach (int related in permutation)
        {
            int canonical = _canonical.Get(related);
            if (canonical >= 0)
            {
                path.Append(CanonicalId(canonical));
            }
            else
            {
                if (!issuerCopy.Has(related))
                {
                    recursionList.Add(related);
                }

                path.Append(TempId(issuerCopy.Issue(related)));
            }

            if (IsWorse(path.AsSpan(), chosenPath))
            {
                return false;
            }
        }

        foreach (int related in recursionList)
        {
            (string Hash, TemporaryIssuer Issuer) result = HashNDegreeQuads(related, issuerCopy);
            path.Append(TempId(issuerCopy.Issue(related)));
            path.Append('<');
            path.Append(result.Hash);
            path.Append('>');
            issuerCopy = result.Issuer;
            if (IsWorse(path.AsSpan(), chosenPath))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>"chosen path is not empty and path is at least as long and greater": paths are ASCII, ordinal is code point order.</summary>
    private static bool IsWorse(ReadOnlySpan<char> path, string? chosenPath)
        => chosenPath is not null && chosenPath.Length > 0 && path.Length >= chosenPath.Length && path.SequenceCompareTo(chosenPath) > 0;

    private void AddRelated(Dictionary<string, List<int>> map, int related, int node, in RdfQuad quad, TemporaryIssuer issuer, char position)
    {
        if (related < 0 || related == node)
        {
            return;
        }

        string hash = HashRelatedBlankNode(related, in quad, issuer, position);
        if (!map.TryGetValue(hash, out List<int>? list))
        {
            list = [];
            map.Add(hash, list);
        }

        list.Add(related);
    }

    private RdfcResult BuildResult()
    {
        int count = _quads.Length;
        int nodeCount = _labels.Count;
        var labels = new Dictionary<string, string>(nodeCount, StringComparer.Ordinal);
        var canonicalTerms = new RdfTerm[nodeCount];
        foreach (int node in _canonical.IssuedNodes)
        {
            string label = CanonicalPrefix + _canonical.Get(node).ToString(CultureInfo.InvariantCulture);
            labels.Add(_labels[node], label);
            canonicalTerms[node] = RdfTerm.BlankNode(label);
        }

        CharBuffer buffer = _scratch;
        buffer.Clear();
        int[] starts = new int[count + 1];
        for (int q = 0; q < count; q++)
        {
            starts[q] = buffer.Length;
            ref readonly RdfQuad quad = ref _quads[q];
            ref readonly QuadNodes nodes = ref _nodes[q];
            AppendCanonical(buffer, quad.Subject, nodes.Subject);
            buffer.Append(' ');
            CanonicalTermWriter.Append(buffer, quad.Predicate);
            buffer.Append(' ');
            AppendCanonical(buffer, quad.Object, nodes.Object);
            if (!quad.Graph.IsDefaultGraph)
            {
                buffer.Append(' ');
                AppendCanonical(buffer, quad.Graph, nodes.Graph);
            }

            buffer.Append(" .\n");
        }

        starts[count] = buffer.Length;
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        order.AsSpan().Sort(new LineComparer(buffer.RawChars, starts));

        // Drop duplicate lines (an RdfDataset is already a set, so this is defensive) and build the outputs.
        var canonicalQuads = new List<RdfQuad>(count);
        int kept = 0;
        int length = 0;
        ReadOnlySpan<char> chars = buffer.AsSpan();
        for (int i = 0; i < count; i++)
        {
            int q = order[i];
            if (kept > 0 && chars[starts[q]..starts[q + 1]].SequenceEqual(chars[starts[order[kept - 1]]..starts[order[kept - 1] + 1]]))
            {
                continue;
            }

            order[kept++] = q;
            length += starts[q + 1] - starts[q];
            ref readonly RdfQuad quad = ref _quads[q];
            ref readonly QuadNodes nodes = ref _nodes[q];
            canonicalQuads.Add(nodes.Subject < 0 && nodes.Object < 0 && nodes.Graph < 0
                ? quad
                : new RdfQuad(
                    nodes.Subject < 0 ? quad.Subject : canonicalTerms[nodes.Subject],
                    quad.Predicate,
                    nodes.Object < 0 ? quad.Object : canonicalTerms[nodes.Object],
                    nodes.Graph < 0 ? quad.Graph : canonicalTerms[nodes.Graph]));
        }

        string text = string.Create(length, (buffer.RawChars, starts, order, kept), static (span, state) =>
        {
            int position = 0;
            for (int i = 0; i < state.kept; i++)
            {
                int q = state.order[i];
                int lineLength = state.starts[q + 1] - state.starts[q];
                state.RawChars.AsSpan(state.starts[q], lineLength).CopyTo(span[position..]);
                position += lineLength;
            }
        });

        return new RdfcResult(text, canonicalQuads, labels);
    }

    private void AppendCanonical(CharBuffer buffer, RdfTerm term, int termNode)
    {
        if (termNode < 0)
        {
            CanonicalTermWriter.Append(buffer, term);
        }
        else
        {
            buffer.Append(CanonicalId(_canonical.Get(termNode)));
        }
    }

    private string TempId(int number) => Id(_tempIds, "_:b", number);

    private string CanonicalId(int number) => Id(_canonicalIds, "_:" + CanonicalPrefix, number);

    private static string Id(List<string> cache, string prefix, int number)
    {
        while (cache.Count <= number)
        {
            cache.Add(prefix + cache.Count.ToString(CultureInfo.InvariantCulture));
        }

        return cache[number];
    }

    private string HashSegments(ReadOnlySpan<char> chars, ReadOnlySpan<int> starts, ReadOnlySpan<int> order)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(chars.Length);
        byte[]? rented = null;
        Span<byte> bytes = maxBytes <= 2048 ? stackalloc byte[2048] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        int written = 0;
        foreach (int item in order)
        {
            written += Encoding.UTF8.GetBytes(chars[starts[item]..starts[item + 1]], bytes[written..]);
        }

        string hash = HashBytes(bytes[..written]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }

    private string Hash(ReadOnlySpan<char> text)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        Span<byte> bytes = maxBytes <= 2048 ? stackalloc byte[2048] : (rented = ArrayPool<byte>.Shared.Rent(maxBytes));
        int written = Encoding.UTF8.GetBytes(text, bytes);
        string hash = HashBytes(bytes[..written]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }

    private string HashBytes(ReadOnlySpan<byte> bytes)
    {
        // One IncrementalHash per thread and algorithm: reusing the native context is cheaper than one-shot hashing
        // for the many short inputs RDFC hashes. AppendData + GetHashAndReset leave it clean for the next use.
        IncrementalHash hasher = _algorithm == RdfcHashAlgorithm.Sha384
            ? t_sha384 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA384)
            : t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> digest = stackalloc byte[SHA384.HashSizeInBytes];
        hasher.AppendData(bytes);
        int length = hasher.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest[..length]);
    }

    /// <summary>A quad's blank node indices (-1 when the position is not a blank node).</summary>
    private readonly record struct QuadNodes(int Subject, int Object, int Graph);

    private readonly struct LineComparer : IComparer<int>
    {
        private readonly char[] _chars;
        private readonly int[] _starts;

        public LineComparer(char[] chars, int[] starts)
        {
            _chars = chars;
            _starts = starts;
        }

        public int Compare(int x, int y)
        {
            int c = CodePointOrder.Compare(
                _chars.AsSpan(_starts[x], _starts[x + 1] - _starts[x]),
                _chars.AsSpan(_starts[y], _starts[y + 1] - _starts[y]));
            return c != 0 ? c : x - y;
        }
    }
}
