using System.Text.Json;

namespace BadgeIssuer.JsonLd.Processing;

/// <summary>
/// Lists the term definitions a set of contexts makes available, including those of their property- and type-scoped
/// contexts, breadth first (the outer context's terms before any scoped one's), each context's terms in the order it
/// defines them. A reader of RDF uses it to name
/// properties and classes the way those contexts name them (an IRI → term table).
/// </summary>
internal sealed partial class ExpansionRun
{
    private const int MaxScopedContextDepth = 8;

    public List<JsonLdTermInfo> DescribeTerms(IEnumerable<string> contextUrls)
    {
        ActiveContext active = RootContexts.Get(_options);
        foreach (string url in contextUrls)
        {
            JsonElement reference = JsonElementFromString(url);
            active = ApplyInputContext(active, reference, _options.Base);
        }

        var result = new List<JsonLdTermInfo>();
        var seenContexts = new HashSet<TermDefinition>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<(ActiveContext Context, int Depth)>();
        queue.Enqueue((active, 0));
        while (queue.Count > 0)
        {
            (ActiveContext context, int depth) = queue.Dequeue();
            foreach ((string term, TermDefinition definition) in context.Terms)
            {
                if (definition.IriMapping is string iri)
                {
                    result.Add(new JsonLdTermInfo(term, iri, definition.TypeMapping, definition.Reverse, depth));
                }

                if (definition.Context is not null && depth < MaxScopedContextDepth && seenContexts.Add(definition))
                {
                    queue.Enqueue((ApplyScopedContext(context, definition, overrideProtected: true, propagate: true), depth + 1));
                }
            }
        }

        return result;
    }

    private static JsonElement JsonElementFromString(string value)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(value.Length + 8);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(value);
        }

        using JsonDocument doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }
}
