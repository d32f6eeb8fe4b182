using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>A node in the node map: its <c>@id</c>, <c>@type</c>, <c>@index</c> and property values.</summary>
internal sealed class NodeMapNode
{
    public NodeMapNode(string id)
    {
        Id = id;
        Properties = new Dictionary<string, List<object?>>(4, StringComparer.Ordinal);
    }

    public string Id { get; }

    /// <summary>The <c>@type</c> entry (IRIs and relabelled blank node identifiers), or null when absent.</summary>
    public List<string>? Types { get; set; }

    public string? Index { get; set; }

    /// <summary>
    /// Property IRI → values. A value is a value object (<see cref="Dictionary{TKey,TValue}"/> from the input),
    /// a <see cref="NodeReference"/> or a <see cref="ListObject"/>.
    /// </summary>
    public Dictionary<string, List<object?>> Properties { get; }
}

/// <summary>A node reference <c>{"@id": id}</c> in the node map.</summary>
internal sealed class NodeReference(string id)
{
    public string Id { get; } = id;
}

/// <summary>A list object <c>{"@list": [...]}</c> in the node map.</summary>
internal sealed class ListObject
{
    public List<object?> Items { get; } = [];
}

/// <summary>JSON-LD 1.1 Node Map Generation (§7.2) over the <see cref="ExpandedJson"/> model.</summary>
internal sealed class NodeMap
{
    public const string DefaultGraphName = "@default";

    private readonly BlankNodeIdentifierGenerator _issuer;

    private NodeMap(BlankNodeIdentifierGenerator issuer)
    {
        _issuer = issuer;
        Graphs = new Dictionary<string, Dictionary<string, NodeMapNode>>(1, StringComparer.Ordinal)
        {
            [DefaultGraphName] = new Dictionary<string, NodeMapNode>(8, StringComparer.Ordinal),
        };
    }

    /// <summary>Graph name (<c>@default</c> for the default graph) → subject → node.</summary>
    public Dictionary<string, Dictionary<string, NodeMapNode>> Graphs { get; }

    /// <summary>Builds the node map of an expanded document, relabelling blank nodes with <paramref name="issuer"/>.</summary>
    public static NodeMap Create(List<object?> expanded, BlankNodeIdentifierGenerator issuer)
    {
        ArgumentNullException.ThrowIfNull(expanded);
        ArgumentNullException.ThrowIfNull(issuer);
        var map = new NodeMap(issuer);
        map.Generate(expanded, map.Graphs[DefaultGraphName], null, null, null, null);
        return map;
    }

    private Dictionary<string, NodeMapNode> GetGraph(string name)
    {
        if (!Graphs.TryGetValue(name, out Dictionary<string, NodeMapNode>? graph))
        {
            graph = new Dictionary<string, NodeMapNode>(4, StringComparer.Ordinal);
            Graphs.Add(name, graph);
        }

        return graph;
    }

    /// <summary>
    /// Node Map Generation (§7.2.2), the algorithm's recursion. The active subject is either <paramref name="subjectNode"/>
    /// (the node in <paramref name="graph"/> named by the active subject) or, for a reverse property, the map
    /// <paramref name="reverseSubject"/>.
    /// </summary>
    private void Generate(
        object? element,
        Dictionary<string, NodeMapNode> graph,
        NodeMapNode? subjectNode,
        NodeReference? reverseSubject,
        string? activeProperty,
        List<object?>? list)
    {
        // §7.2.2 step 1: arrays: process each item.
        if (element is List<object?> array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                Generate(array[i], graph, subjectNode, reverseSubject, activeProperty, list);
            }

            return;
        }

        // §7.2.2 step 2: otherwise element is a map (anything else cannot occur in expanded form and is ignored).
        if (element is not Dictionary<string, object?> map)
        {
            return;
        }

        // §7.2.2 step 3: blank node @type values are relabelled (a value object's in step 4, a node's here).
        map.TryGetValue("@type", out object? typeValue);
        if (map.ContainsKey("@value"))
        {
            // §7.2.2 step 4.
            AddValueObject(map, typeValue, subjectNode, activeProperty, list);
            return;
        }

        List<string>? types = RelabelTypes(typeValue);
        if (map.TryGetValue("@list", out object? listValue))
        {
            // §7.2.2 step 5.
            AddListObject(listValue, graph, subjectNode, reverseSubject, activeProperty, list);
            return;
        }

        // §7.2.2 step 6.
        GenerateNodeObject(map, types, graph, subjectNode, reverseSubject, activeProperty, list);
    }

    // §7.2.2 step 4: a value object is appended to the list (4.2) or added to the active property of the subject
    // node unless an equal one is there (4.1).
    private void AddValueObject(Dictionary<string, object?> map, object? typeValue, NodeMapNode? subjectNode, string? activeProperty, List<object?>? list)
    {
        Dictionary<string, object?> value = map;
        if (typeValue is string valueType && BlankNodeIdentifierGenerator.IsBlankNode(valueType))
        {
            value = new Dictionary<string, object?>(map, StringComparer.Ordinal)
            {
                ["@type"] = _issuer.Generate(valueType),
            };
        }

        if (list is not null)
        {
            list.Add(value);
        }
        else if (subjectNode is not null && activeProperty is not null)
        {
            AddUnlessPresent(GetValues(subjectNode, activeProperty), value);
        }
    }

    // §7.2.2 step 5: a list object — its items are generated into a new list (5.1-5.2), which is appended to the
    // active property of the subject node (5.3) or to the enclosing list (5.4).
    private void AddListObject(
        object? listValue,
        Dictionary<string, NodeMapNode> graph,
        NodeMapNode? subjectNode,
        NodeReference? reverseSubject,
        string? activeProperty,
        List<object?>? list)
    {
        var result = new ListObject();
        Generate(listValue, graph, subjectNode, reverseSubject, activeProperty, result.Items);
        if (list is not null)
        {
            list.Add(result);
        }
        else if (subjectNode is not null && activeProperty is not null)
        {
            GetValues(subjectNode, activeProperty).Add(result);
        }
    }

    // §7.2.2 step 6: a node object.
    private void GenerateNodeObject(
        Dictionary<string, object?> map,
        List<string>? types,
        Dictionary<string, NodeMapNode> graph,
        NodeMapNode? subjectNode,
        NodeReference? reverseSubject,
        string? activeProperty,
        List<object?>? list)
    {
        // §7.2.2 steps 6.1-6.2: the node's identifier (a blank node identifier relabelled, a missing one generated).
        string id;
        if (map.TryGetValue("@id", out object? idValue) && idValue is null)
        {
            // An @id that expansion could not map (a keyword-like value) names nothing: the node and references to it are ignored.
            return;
        }

        if (idValue is string idString)
        {
            id = BlankNodeIdentifierGenerator.IsBlankNode(idString) ? _issuer.Generate(idString) : idString;
        }
        else
        {
            id = _issuer.Generate(null);
        }

        // §7.2.2 steps 6.3-6.4.
        if (!graph.TryGetValue(id, out NodeMapNode? node))
        {
            node = new NodeMapNode(id);
            graph.Add(id, node);
        }

        // §7.2.2 steps 6.5-6.6: the relationship with the active subject.
        LinkToActiveSubject(node, id, subjectNode, reverseSubject, activeProperty, list);

        // §7.2.2 steps 6.7-6.8: @type and @index.
        MergeTypesAndIndex(node, types, map);

        // §7.2.2 step 6.9: each reverse property makes this node the subject of the values' nodes.
        if (map.TryGetValue("@reverse", out object? reverseValue) && reverseValue is Dictionary<string, object?> reverseMap)
        {
            var referencedNode = new NodeReference(id);
            foreach (KeyValuePair<string, object?> entry in reverseMap)
            {
                Generate(entry.Value, graph, null, referencedNode, entry.Key, null);
            }
        }

        // §7.2.2 step 6.10: a named graph.
        if (map.TryGetValue("@graph", out object? graphValue))
        {
            Generate(graphValue, GetGraph(id), null, null, null, null);
        }

        // §7.2.2 step 6.11: included nodes.
        if (map.TryGetValue("@included", out object? includedValue))
        {
            Generate(includedValue, graph, null, null, null, null);
        }

        // §7.2.2 step 6.12: the remaining properties, ordered by property.
        GenerateProperties(map, graph, node);
    }

    // §7.2.2 step 6.5: for a reverse property the active subject is added to the node's active property; step 6.6:
    // otherwise a reference to the node is appended to the list (6.6.3) or added to the subject node's active property
    // unless present (6.6.2).
    private void LinkToActiveSubject(
        NodeMapNode node,
        string id,
        NodeMapNode? subjectNode,
        NodeReference? reverseSubject,
        string? activeProperty,
        List<object?>? list)
    {
        if (reverseSubject is not null)
        {
            if (activeProperty is not null)
            {
                AddUnlessPresent(GetValues(node, activeProperty), reverseSubject);
            }
        }
        else if (activeProperty is not null)
        {
            var reference = new NodeReference(id);
            if (list is not null)
            {
                list.Add(reference);
            }
            else if (subjectNode is not null)
            {
                AddUnlessPresent(GetValues(subjectNode, activeProperty), reference);
            }
        }
    }

    // §7.2.2 step 6.7: the element's types are added to the node's unless present; step 6.8: @index, which must not
    // conflict with one the node already has.
    private void MergeTypesAndIndex(NodeMapNode node, List<string>? types, Dictionary<string, object?> map)
    {
        if (types is not null)
        {
            List<string> nodeTypes = node.Types ??= new List<string>(types.Count);
            for (int i = 0; i < types.Count; i++)
            {
                AddUnlessPresent(nodeTypes, types[i]);
            }
        }

        if (map.TryGetValue("@index", out object? indexValue) && indexValue is string index)
        {
            if (node.Index is not null && !string.Equals(node.Index, index, StringComparison.Ordinal))
            {
                throw new JsonLdException(
                    JsonLdErrorCode.ConflictingIndexes,
                    string.Create(CultureInfo.InvariantCulture, $"Conflicting @index values \"{node.Index}\" and \"{index}\" for node {node.Id}."));
            }

            node.Index = index;
        }
    }

    // §7.2.2 step 6.12: each remaining property (not a keyword), in order: a blank node property is relabelled (6.12.1),
    // gets an entry in the node (6.12.2) and its values are generated with the node as active subject (6.12.3).
    private void GenerateProperties(Dictionary<string, object?> map, Dictionary<string, NodeMapNode> graph, NodeMapNode node)
    {
        int count = 0;
        foreach (string key in map.Keys)
        {
            if (!IsKeywordLike(key))
            {
                count++;
            }
        }

        if (count == 0)
        {
            return;
        }

        string[] properties = ArrayPool<string>.Shared.Rent(count);
        try
        {
            int n = 0;
            foreach (string key in map.Keys)
            {
                if (!IsKeywordLike(key))
                {
                    properties[n++] = key;
                }
            }

            if (n > 1)
            {
                Array.Sort(properties, 0, n, StringComparer.Ordinal);
            }

            for (int i = 0; i < n; i++)
            {
                string property = properties[i];
                object? value = map[property];

                // 6.12.1
                if (BlankNodeIdentifierGenerator.IsBlankNode(property))
                {
                    property = _issuer.Generate(property);
                }

                // 6.12.2
                GetValues(node, property);

                // 6.12.3
                Generate(value, graph, node, null, property, null);
            }
        }
        finally
        {
            ArrayPool<string>.Shared.Return(properties, clearArray: true);
        }
    }

    // §7.2.2 step 3: a node's @type values, blank node identifiers relabelled.
    private List<string>? RelabelTypes(object? typeValue)
    {
        switch (typeValue)
        {
            case List<object?> typeList:
                var types = new List<string>(typeList.Count);
                for (int i = 0; i < typeList.Count; i++)
                {
                    if (typeList[i] is string type)
                    {
                        types.Add(BlankNodeIdentifierGenerator.IsBlankNode(type) ? _issuer.Generate(type) : type);
                    }
                }

                return types;
            case string single:
                return [BlankNodeIdentifierGenerator.IsBlankNode(single) ? _issuer.Generate(single) : single];
            default:
                return null;
        }
    }

    private static bool IsKeywordLike(string key) => key.Length > 0 && key[0] == '@';

    private static List<object?> GetValues(NodeMapNode node, string property)
    {
        if (!node.Properties.TryGetValue(property, out List<object?>? values))
        {
            values = new List<object?>(1);
            node.Properties.Add(property, values);
        }

        return values;
    }

    // "Add value … unless already present" (node map generation 4, 6.5, 6.6, 6.7): a scan of the list per addition is
    // quadratic in its length, so past a few entries each list gets an index by a hash consistent with the equality used.
    private const int IndexFrom = 16;

    private readonly Dictionary<List<object?>, Dictionary<int, List<object>>> _valueIndexes = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<List<string>, HashSet<string>> _typeIndexes = new(ReferenceEqualityComparer.Instance);

    /// <summary>Adds a node reference or value object to <paramref name="values"/> unless an equal one is there.</summary>
    private void AddUnlessPresent(List<object?> values, object value)
    {
        if (_valueIndexes.TryGetValue(values, out Dictionary<int, List<object>>? index))
        {
            int hash = Hash(value);
            if (index.TryGetValue(hash, out List<object>? bucket))
            {
                foreach (object existing in bucket)
                {
                    if (SameValue(existing, value))
                    {
                        return;
                    }
                }
            }
            else
            {
                index[hash] = bucket = [];
            }

            bucket.Add(value);
            values.Add(value);
            return;
        }

        foreach (object? existing in values)
        {
            if (existing is not null && SameValue(existing, value))
            {
                return;
            }
        }

        values.Add(value);
        if (values.Count == IndexFrom)
        {
            index = [];
            foreach (object? entry in values)
            {
                if (entry is NodeReference or Dictionary<string, object?>)
                {
                    int hash = Hash(entry);
                    if (!index.TryGetValue(hash, out List<object>? bucket))
                    {
                        index[hash] = bucket = [];
                    }

                    bucket.Add(entry);
                }
            }

            _valueIndexes[values] = index;
        }
    }

    /// <summary>Adds a type to a node's types unless it is there.</summary>
    private void AddUnlessPresent(List<string> types, string type)
    {
        if (_typeIndexes.TryGetValue(types, out HashSet<string>? index))
        {
            if (index.Add(type))
            {
                types.Add(type);
            }

            return;
        }

        if (types.Contains(type, StringComparer.Ordinal))
        {
            return;
        }

        types.Add(type);
        if (types.Count == IndexFrom)
        {
            _typeIndexes[types] = new HashSet<string>(types, StringComparer.Ordinal);
        }
    }

    // Node references are equal by id; value objects by JsonEquals. Anything else (a list object) equals nothing.
    private static bool SameValue(object a, object b) => (a, b) switch
    {
        (NodeReference x, NodeReference y) => string.Equals(x.Id, y.Id, StringComparison.Ordinal),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) => JsonEquals(x, y),
        _ => false,
    };

    // Consistent with SameValue: equal values hash alike (numbers, booleans, @json and nested values hash by kind only).
    private static int Hash(object value)
    {
        switch (value)
        {
            case NodeReference reference:
                return StringComparer.Ordinal.GetHashCode(reference.Id);
            case Dictionary<string, object?> map:
                int hash = map.Count;
                foreach (KeyValuePair<string, object?> entry in map)
                {
                    // A sum: the order of the entries does not matter to JsonEquals.
                    hash = unchecked(hash + HashCode.Combine(StringComparer.Ordinal.GetHashCode(entry.Key), entry.Value is string s ? StringComparer.Ordinal.GetHashCode(s) : 0));
                }

                return hash;
            default:
                return 0;
        }
    }

    /// <summary>Deep equality of two values of the <see cref="ExpandedJson"/> model ("equivalent map entries").</summary>
    internal static bool JsonEquals(object? a, object? b)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        switch (a)
        {
            case null:
                return false;
            case string sa:
                return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
            case double da:
                return b is double db && da == db;
            case bool ba:
                return b is bool bb && ba == bb;
            case JsonElement ea:
                return b is JsonElement eb && JsonElement.DeepEquals(ea, eb);
            case Dictionary<string, object?> ma:
                if (b is not Dictionary<string, object?> mb || ma.Count != mb.Count)
                {
                    return false;
                }

                foreach (KeyValuePair<string, object?> entry in ma)
                {
                    if (!mb.TryGetValue(entry.Key, out object? other) || !JsonEquals(entry.Value, other))
                    {
                        return false;
                    }
                }

                return true;
            case List<object?> la:
                if (b is not List<object?> lb || la.Count != lb.Count)
                {
                    return false;
                }

                for (int i = 0; i < la.Count; i++)
                {
                    if (!JsonEquals(la[i], lb[i]))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return a.Equals(b);
        }
    }
}
