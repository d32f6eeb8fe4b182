using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace BadgeIssuer.Core.Schemas;

/// <summary>
/// A pass/fail evaluator for the draft 2019-09 keywords the bundled OB 3.0 schemas use, compiled once into a tree of
/// nodes that walk a <see cref="JsonElement"/> directly and stop at the first failure. JsonSchema.Net stays the
/// reference: a schema with any keyword outside the supported set is not compiled (callers fall back to it), the
/// <c>format</c> keyword calls JsonSchema.Net's own format checks, and a differential test holds the two to the same
/// answer on every vector and thousands of mutations. Violations with locations still come from JsonSchema.Net.
/// </summary>
/// <remarks>
/// Supported: <c>type</c>, <c>enum</c>, <c>pattern</c>, <c>format</c> (date, date-time), <c>properties</c>,
/// <c>required</c>, <c>additionalProperties</c>, <c>items</c> (schema or tuple), <c>additionalItems</c>,
/// <c>minItems</c>, <c>contains</c>, <c>allOf</c>, <c>anyOf</c>, <c>oneOf</c>, <c>$ref</c> to a JSON pointer in the same
/// document; annotations (<c>$schema</c>, <c>$id</c> at the root, <c>$defs</c>, <c>$comment</c>, <c>title</c>,
/// <c>description</c>, <c>examples</c>, <c>default</c>) are ignored.
/// </remarks>
internal sealed class CompiledSchema
{
    private readonly Node _root;

    private CompiledSchema(Node root) => _root = root;

    /// <summary>True when <paramref name="instance"/> is valid against the schema.</summary>
    public bool IsValid(JsonElement instance) => _root.IsValid(instance);

    /// <summary>Compiles <paramref name="schema"/>, or returns null when it uses anything this evaluator does not support.</summary>
    public static CompiledSchema? TryCompile(JsonElement schema)
    {
        var compiler = new Compiler(schema);
        Node? root = compiler.Compile(schema);
        return root is null || !compiler.ResolveReferences() ? null : new CompiledSchema(root);
    }

    [Flags]
    private enum JsonTypes
    {
        None = 0,
        Null = 1,
        Boolean = 2,
        Object = 4,
        Array = 8,
        Number = 16,
        Integer = 32,
        String = 64,
    }

    private sealed class Compiler(JsonElement root)
    {
        private static readonly HashSet<string> s_annotations = new(StringComparer.Ordinal)
        {
            "$schema", "$defs", "definitions", "$comment", "title", "description", "examples", "default",
        };

        private readonly Dictionary<string, Node> _byPointer = new(StringComparer.Ordinal);
        private readonly List<(Node Node, string Pointer)> _pending = [];
        private readonly string? _baseId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("$id", out JsonElement id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()!.TrimEnd('#')
            : null;

        public Node? Compile(JsonElement schema, bool isRoot = true)
        {
            if (schema.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return new Node { Constant = schema.ValueKind == JsonValueKind.True };
            }

            if (schema.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var node = new Node();
            foreach (JsonProperty keyword in schema.EnumerateObject())
            {
                if (!Apply(node, keyword, isRoot))
                {
                    return null;
                }
            }

            return node;
        }

        public bool ResolveReferences()
        {
            // A reference is compiled once per target, so recursive definitions become a cycle in the node graph.
            for (int i = 0; i < _pending.Count; i++)
            {
                (Node node, string pointer) = _pending[i];
                if (!_byPointer.TryGetValue(pointer, out Node? target))
                {
                    if (!TryResolvePointer(pointer, out JsonElement element))
                    {
                        return false;
                    }

                    Node? compiled = Compile(element, isRoot: false);
                    if (compiled is null)
                    {
                        return false;
                    }

                    _byPointer[pointer] = target = compiled;
                }

                node.Ref = target;
            }

            return true;
        }

        private bool Apply(Node node, JsonProperty keyword, bool isRoot)
        {
            JsonElement value = keyword.Value;
            switch (keyword.Name)
            {
                case "$id":
                    return isRoot;
                case "$ref":
                    return value.ValueKind == JsonValueKind.String && AddReference(node, value.GetString()!);
                case "type":
                    node.Types = ParseTypes(value);
                    return node.Types != JsonTypes.None;
                case "enum":
                    if (value.ValueKind != JsonValueKind.Array)
                    {
                        return false;
                    }

                    node.Enum = [.. value.EnumerateArray().Select(static e => e.Clone())];
                    return true;
                case "pattern":
                    if (value.ValueKind != JsonValueKind.String)
                    {
                        return false;
                    }

                    // ECMA-262 semantics as JSON Schema asks (\d is ASCII only), as JsonSchema.Net evaluates it.
                    node.Pattern = new Regex(value.GetString()!, RegexOptions.ECMAScript | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                    return true;
                case "format":
                    node.Format = value.ValueKind == JsonValueKind.String ? value.GetString() switch
                    {
                        "date-time" => Formats.DateTime,
                        "date" => Formats.Date,
                        _ => null,
                    } : null;
                    return node.Format is not null;
                case "properties":
                    if (value.ValueKind != JsonValueKind.Object)
                    {
                        return false;
                    }

                    node.Properties = new Dictionary<string, Node>(StringComparer.Ordinal);
                    foreach (JsonProperty property in value.EnumerateObject())
                    {
                        Node? child = Compile(property.Value, isRoot: false);
                        if (child is null)
                        {
                            return false;
                        }

                        node.Properties[property.Name] = child;
                    }

                    return true;
                case "required":
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(static e => e.ValueKind != JsonValueKind.String))
                    {
                        return false;
                    }

                    node.Required = [.. value.EnumerateArray().Select(static e => e.GetString()!)];
                    return true;
                case "additionalProperties":
                    return (node.AdditionalProperties = Compile(value, isRoot: false)) is not null;
                case "items":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        node.TupleItems = CompileAll(value);
                        return node.TupleItems is not null;
                    }

                    return (node.Items = Compile(value, isRoot: false)) is not null;
                case "additionalItems":
                    return (node.AdditionalItems = Compile(value, isRoot: false)) is not null;
                case "contains":
                    return (node.Contains = Compile(value, isRoot: false)) is not null;
                case "minItems":
                    if (!value.TryGetInt32(out int minItems) || minItems < 0)
                    {
                        return false;
                    }

                    node.MinItems = minItems;
                    return true;
                case "allOf":
                    return (node.AllOf = CompileAll(value)) is not null;
                case "anyOf":
                    return (node.AnyOf = CompileAll(value)) is not null;
                case "oneOf":
                    return (node.OneOf = CompileAll(value)) is not null;
                default:
                    return s_annotations.Contains(keyword.Name);
            }
        }

        private Node[]? CompileAll(JsonElement array)
        {
            if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            {
                return null;
            }

            var nodes = new Node[array.GetArrayLength()];
            int i = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                Node? node = Compile(item, isRoot: false);
                if (node is null)
                {
                    return null;
                }

                nodes[i++] = node;
            }

            return nodes;
        }

        private bool AddReference(Node node, string reference)
        {
            string pointer;
            if (reference.StartsWith('#'))
            {
                pointer = reference[1..];
            }
            else if (_baseId is not null && reference.StartsWith(_baseId + "#", StringComparison.Ordinal))
            {
                pointer = reference[(_baseId.Length + 1)..];
            }
            else
            {
                return false;
            }

            if (pointer.Length > 0 && pointer[0] != '/')
            {
                return false; // an $anchor name: not used by the bundled schemas
            }

            _pending.Add((node, Uri.UnescapeDataString(pointer)));
            return true;
        }

        private bool TryResolvePointer(string pointer, out JsonElement element)
        {
            element = root;
            if (pointer.Length == 0)
            {
                return true;
            }

            foreach (string raw in pointer[1..].Split('/'))
            {
                string token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
                if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(token, out JsonElement next))
                {
                    element = next;
                }
                else if (element.ValueKind == JsonValueKind.Array && int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < element.GetArrayLength())
                {
                    element = element[index];
                }
                else
                {
                    return false;
                }
            }

            return true;
        }

        private static JsonTypes ParseTypes(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.String)
            {
                return ParseType(value.GetString()!);
            }

            if (value.ValueKind != JsonValueKind.Array)
            {
                return JsonTypes.None;
            }

            JsonTypes types = JsonTypes.None;
            foreach (JsonElement item in value.EnumerateArray())
            {
                JsonTypes one = item.ValueKind == JsonValueKind.String ? ParseType(item.GetString()!) : JsonTypes.None;
                if (one == JsonTypes.None)
                {
                    return JsonTypes.None;
                }

                types |= one;
            }

            return types;
        }

        private static JsonTypes ParseType(string name) => name switch
        {
            "null" => JsonTypes.Null,
            "boolean" => JsonTypes.Boolean,
            "object" => JsonTypes.Object,
            "array" => JsonTypes.Array,
            "number" => JsonTypes.Number | JsonTypes.Integer,
            "integer" => JsonTypes.Integer,
            "string" => JsonTypes.String,
            _ => JsonTypes.None,
        };
    }

    private sealed class Node
    {
        public bool? Constant { get; init; }

        public Node? Ref { get; set; }

        public JsonTypes Types { get; set; }

        public JsonElement[]? Enum { get; set; }

        public Regex? Pattern { get; set; }

        public Format? Format { get; set; }

        public Dictionary<string, Node>? Properties { get; set; }

        public string[]? Required { get; set; }

        public Node? AdditionalProperties { get; set; }

        public Node? Items { get; set; }

        public Node[]? TupleItems { get; set; }

        public Node? AdditionalItems { get; set; }

        public Node? Contains { get; set; }

        public int MinItems { get; set; }

        public Node[]? AllOf { get; set; }

        public Node[]? AnyOf { get; set; }

        public Node[]? OneOf { get; set; }

        public bool IsValid(JsonElement instance)
        {
            if (Constant is bool constant)
            {
                return constant;
            }

            if (Types != JsonTypes.None && !HasType(instance, Types))
            {
                return false;
            }

            if (Ref is not null && !Ref.IsValid(instance))
            {
                return false;
            }

            if (Enum is not null && !InEnum(instance))
            {
                return false;
            }

            switch (instance.ValueKind)
            {
                case JsonValueKind.String:
                    if (Pattern is not null && !Pattern.IsMatch(instance.GetString()!))
                    {
                        return false;
                    }

                    break;
                case JsonValueKind.Object:
                    if (!ObjectIsValid(instance))
                    {
                        return false;
                    }

                    break;
                case JsonValueKind.Array:
                    if (!ArrayIsValid(instance))
                    {
                        return false;
                    }

                    break;
            }

            if (Format is not null && !Format.Validate(instance, out _))
            {
                return false;
            }

            if (AllOf is not null)
            {
                foreach (Node node in AllOf)
                {
                    if (!node.IsValid(instance))
                    {
                        return false;
                    }
                }
            }

            if (AnyOf is not null && !AnyOf.Any(node => node.IsValid(instance)))
            {
                return false;
            }

            if (OneOf is not null)
            {
                int passed = 0;
                foreach (Node node in OneOf)
                {
                    if (node.IsValid(instance) && ++passed > 1)
                    {
                        return false;
                    }
                }

                if (passed != 1)
                {
                    return false;
                }
            }

            return true;
        }

        private bool ObjectIsValid(JsonElement instance)
        {
            if (Required is not null)
            {
                foreach (string name in Required)
                {
                    if (!instance.TryGetProperty(name, out _))
                    {
                        return false;
                    }
                }
            }

            if (Properties is null && AdditionalProperties is null)
            {
                return true;
            }

            foreach (JsonProperty property in instance.EnumerateObject())
            {
                if (Properties is not null && Properties.TryGetValue(property.Name, out Node? node))
                {
                    if (!node.IsValid(property.Value))
                    {
                        return false;
                    }
                }
                else if (AdditionalProperties is not null && !AdditionalProperties.IsValid(property.Value))
                {
                    return false;
                }
            }

            return true;
        }

        private bool ArrayIsValid(JsonElement instance)
        {
            int length = instance.GetArrayLength();
            if (length < MinItems)
            {
                return false;
            }

            if (Items is null && TupleItems is null && Contains is null)
            {
                return true;
            }

            bool contained = Contains is null;
            int index = 0;
            foreach (JsonElement item in instance.EnumerateArray())
            {
                Node? itemSchema = TupleItems is not null
                    ? index < TupleItems.Length ? TupleItems[index] : AdditionalItems
                    : Items;
                if (itemSchema is not null && !itemSchema.IsValid(item))
                {
                    return false;
                }

                contained = contained || Contains!.IsValid(item);
                index++;
            }

            return contained;
        }

        private bool InEnum(JsonElement instance)
        {
            foreach (JsonElement candidate in Enum!)
            {
                if (JsonEquals(candidate, instance))
                {
                    return true;
                }
            }

            return false;
        }

        private static bool HasType(JsonElement instance, JsonTypes types) => instance.ValueKind switch
        {
            JsonValueKind.Null => (types & JsonTypes.Null) != 0,
            JsonValueKind.True or JsonValueKind.False => (types & JsonTypes.Boolean) != 0,
            JsonValueKind.Object => (types & JsonTypes.Object) != 0,
            JsonValueKind.Array => (types & JsonTypes.Array) != 0,
            JsonValueKind.String => (types & JsonTypes.String) != 0,
            JsonValueKind.Number => (types & JsonTypes.Number) != 0 || ((types & JsonTypes.Integer) != 0 && IsInteger(instance)),
            _ => false,
        };

        private static bool IsInteger(JsonElement number)
        {
            if (number.TryGetInt64(out _))
            {
                return true;
            }

            if (number.TryGetDecimal(out decimal d))
            {
                return d == decimal.Truncate(d);
            }

            return number.TryGetDouble(out double x) && double.IsFinite(x) && x == Math.Floor(x);
        }

        private static bool JsonEquals(JsonElement a, JsonElement b)
        {
            switch (a.ValueKind)
            {
                case JsonValueKind.Number:
                    if (b.ValueKind != JsonValueKind.Number)
                    {
                        return false;
                    }

                    if (a.TryGetDecimal(out decimal da) && b.TryGetDecimal(out decimal db))
                    {
                        return da == db;
                    }

                    return a.TryGetDouble(out double xa) && b.TryGetDouble(out double xb) && xa.Equals(xb);
                case JsonValueKind.String:
                    return b.ValueKind == JsonValueKind.String && string.Equals(a.GetString(), b.GetString(), StringComparison.Ordinal);
                case JsonValueKind.Array:
                    if (b.ValueKind != JsonValueKind.Array || a.GetArrayLength() != b.GetArrayLength())
                    {
                        return false;
                    }

                    return a.EnumerateArray().Zip(b.EnumerateArray()).All(static pair => JsonEquals(pair.First, pair.Second));
                case JsonValueKind.Object:
                    if (b.ValueKind != JsonValueKind.Object || a.EnumerateObject().Count() != b.EnumerateObject().Count())
                    {
                        return false;
                    }

                    foreach (JsonProperty property in a.EnumerateObject())
                    {
                        if (!b.TryGetProperty(property.Name, out JsonElement other) || !JsonEquals(property.Value, other))
                        {
                            return false;
                        }
                    }

                    return true;
                default:
                    return a.ValueKind == b.ValueKind;
            }
        }
    }
}
